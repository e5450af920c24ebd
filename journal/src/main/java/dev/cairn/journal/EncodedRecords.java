package dev.cairn.journal;

import java.io.IOException;

/**
 * A journal's records as their exact encoded bytes: the bytes its hash chain hashes (docs/JOURNAL.md, "Records"),
 * which are also the leaves of the journal's Merkle tree ({@code dev.cairn.journal.tlog}, docs/PROOFS.md). Derived
 * data that must be computed from what is really stored, not from a decoded and re-encoded copy, reads through this.
 * Implemented by {@link ChronicleJournal} and {@link InMemoryJournal}; thread-safe like them.
 */
public interface EncodedRecords {

    /** The seq of the last record (0 when empty), records of other processes included. */
    long lastSeq() throws IOException;

    /**
     * Hands records {@code fromSeq} to {@code toSeq} (both inclusive) to {@code sink}, in seq order, each checked as
     * {@link Journal#read} checks a record (checksum, seq, and the hash chain from the first record handed on: its
     * own {@code prev} is taken as given, as a cursor started mid-way takes it). Nothing is handed on when
     * {@code toSeq < fromSeq}.
     *
     * @throws dev.cairn.model.JournalCorruptedException if a record fails its check
     * @throws java.io.EOFException                     if the journal ends before {@code toSeq}
     * @throws IllegalArgumentException                 if {@code fromSeq < 1}
     */
    void readEncoded(long fromSeq, long toSeq, Sink sink) throws IOException;

    /** Receives records in seq order. */
    @FunctionalInterface
    interface Sink {
        /**
         * One record.
         *
         * @param seq   its seq
         * @param bytes its encoded bytes, exactly as stored; the sink may keep the array
         */
        void accept(long seq, byte[] bytes) throws IOException;
    }
}
