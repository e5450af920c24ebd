package dev.cairn.journal;

import dev.cairn.model.Digest;

import java.util.Objects;

/**
 * A prefix of a journal that was verified before — records 1 to {@code seq}, the last of which hashes to
 * {@code hash} — and that an open may take as verified instead of reading it again (an index snapshot names one).
 * Since every record's {@code prev} is the hash of the one before, the hash of record {@code seq} pins every record
 * up to it: a journal whose record {@code seq} hashes to {@code hash} holds exactly those records, unless they were
 * damaged since they were verified, which only {@link Journal#verify()} (reading from seq 1) finds.
 *
 * @param seq  the last record of the prefix, at least 1
 * @param hash that record's hash ({@code JournalRecord.hash()})
 */
public record TrustedPrefix(long seq, Digest hash) {

    public TrustedPrefix {
        if (seq < 1) {
            throw new IllegalArgumentException("a trusted prefix ends at a seq >= 1, not " + seq);
        }
        Objects.requireNonNull(hash, "hash");
    }
}
