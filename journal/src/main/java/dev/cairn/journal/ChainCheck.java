package dev.cairn.journal;

import dev.cairn.model.Digest;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;

import java.util.function.LongFunction;

/**
 * Checks that decoded records follow each other: seq is the previous seq + 1 and prev is the previous record's
 * hash. Started at the beginning of the journal it expects seq 1 and the zero hash; started mid-way (a cursor from
 * seq N) it takes the first record's prev as given. Not thread-safe.
 */
final class ChainCheck {

    private long lastSeq;
    private Digest lastHash;
    /** The bytes of the last record accepted; for {@link EncodedRecords}. */
    private byte[] lastBytes;

    /** Expects the journal's first record next. */
    static ChainCheck fromStart() {
        return new ChainCheck(0, RecordCodec.ZERO_HASH);
    }

    /** Expects seq {@code nextSeq} next, with whatever prev it has (null) or the given one. */
    static ChainCheck at(long nextSeq, Digest prevHash) {
        return new ChainCheck(nextSeq - 1, prevHash);
    }

    private ChainCheck(long lastSeq, Digest lastHash) {
        this.lastSeq = lastSeq;
        this.lastHash = lastHash;
    }

    /** The seq the next record must have. */
    long nextSeq() {
        return lastSeq + 1;
    }

    long lastSeq() {
        return lastSeq;
    }

    /** The hash of the last record accepted (the zero hash before the first record); null if not known yet. */
    Digest lastHash() {
        return lastHash;
    }

    /** The encoded bytes of the last record accepted (not a copy); null before the first. */
    byte[] lastBytes() {
        return lastBytes;
    }

    /**
     * Decodes {@code bytes} as the next record, checks it and accepts it.
     *
     * @param position where the bytes came from, computed only for messages
     */
    JournalRecord accept(byte[] bytes, LongFunction<String> position) throws JournalCorruptedException {
        long expected = nextSeq();
        JournalRecord r = RecordCodec.decode(bytes, expected, () -> position.apply(expected));
        if (r.seq() != expected) {
            throw new JournalCorruptedException(expected, position.apply(expected), "found seq " + r.seq()
                    + " where seq " + expected + " belongs (records missing, duplicated or out of order)");
        }
        if (lastHash != null && !r.prev().equals(lastHash)) {
            throw new JournalCorruptedException(expected, position.apply(expected), "hash chain broken: prev is "
                    + r.prev() + " but record " + lastSeq + " hashes to " + lastHash);
        }
        lastSeq = r.seq();
        lastHash = r.hash();
        lastBytes = bytes;
        return r;
    }
}
