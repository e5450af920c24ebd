package dev.cairn.journal;

import java.util.List;

/**
 * Told by a journal's committer that records just became durable: the hook through which derived data that must
 * follow every append (the Merkle tree, {@code dev.cairn.journal.tlog.TransparencyLog}) keeps up without reading
 * the journal again. A journal calls it once per batch, after the batch is durable and before the appenders are
 * answered, with the batch's records in seq order; across calls, seqs only grow.
 *
 * <p>Implementations must be quick, must not block on anything another process may hold, and must not throw: the
 * records are durable whatever the listener does, and a listener that falls behind catches up from the journal
 * ({@link EncodedRecords}) later.
 */
@FunctionalInterface
public interface DurabilityListener {

    /**
     * Records {@code firstSeq}, {@code firstSeq + 1}, ... are durable.
     *
     * @param records their encoded bytes, exactly as stored (the listener must not change the arrays)
     */
    void recordsDurable(long firstSeq, List<byte[]> records);
}
