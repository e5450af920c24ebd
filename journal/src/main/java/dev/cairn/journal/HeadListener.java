package dev.cairn.journal;

import java.util.List;

/**
 * Told of every record the {@link VerifiedHead} of a {@link ChronicleJournal} passes, in seq order and with each
 * record's encoded bytes — the one place where a journal's records are known, durable and in order, for whatever is
 * kept alongside them (a Merkle tree over the records, signed checkpoints):
 * <ul>
 *   <li>at open, every record from seq 1, as verification reads it;
 *   <li>when the head catches up, the records other processes appended;
 *   <li>right after each batch this process wrote is durable (fsynced), its records, from the bytes written.
 * </ul>
 * Each record is told exactly once per journal object, and only once its writer has finished its fsync: the head
 * moves only under the append lock. Calls come from the thread moving the head (the opener, the committer, a caller
 * of {@code lastSeq}), one at a time, with the append lock held: a listener must be quick, must not call the journal,
 * and must not change the arrays. If it throws at open, the open fails; after a batch, the batch's appenders are
 * still told it is durable (it is) but the journal refuses further appends, as after a failed fsync.
 */
@FunctionalInterface
interface HeadListener {

    /** Listens to nothing. */
    HeadListener NONE = records -> {
    };

    /** {@code records}: consecutive seqs, following those told before. */
    void advanced(List<EncodedRecord> records) throws java.io.IOException;
}
