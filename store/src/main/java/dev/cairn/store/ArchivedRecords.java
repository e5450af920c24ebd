package dev.cairn.store;

import dev.cairn.model.Digest;

/**
 * The records archived from a store's journal ({@link LayerStore#archiveJournal}): seq 1 to {@code lastSeq} are no
 * longer in the journal's folder; the last archive written holds the newest of them.
 *
 * @param lastSeq  the last archived record
 * @param lastHash its hash, which the journal's first kept record follows
 * @param archive  the last archive file written (as given to {@code cairn archive}, absolute)
 * @param sha256   that file's sha256
 */
public record ArchivedRecords(long lastSeq, Digest lastHash, String archive, Digest sha256) {

    /** The journal's first kept record. */
    public long firstKeptSeq() {
        return lastSeq + 1;
    }
}
