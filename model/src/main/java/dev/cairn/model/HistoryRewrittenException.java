package dev.cairn.model;

/**
 * The journal as it stands does not extend a checkpoint taken earlier (docs/PROOFS.md): a record the checkpoint
 * covers was edited, removed, reordered or cut off (a repair included). When an earlier Merkle tree of the
 * checkpointed history is at hand, the first record that differs is named; otherwise {@link #firstDifferingSeq()} is
 * 0 and only the fact is known, which is what the checkpoint guarantees.
 */
public final class HistoryRewrittenException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final long checkpointSize;
    private final long journalSize;
    private final long firstDifferingSeq;

    /**
     * @param checkpointSize    the tree size of the checkpoint
     * @param journalSize       how many records the journal has
     * @param firstDifferingSeq the first seq whose record is not the one the checkpoint covers; 0 if unknown
     * @param message           one line saying what was found
     */
    public HistoryRewrittenException(long checkpointSize, long journalSize, long firstDifferingSeq, String message) {
        super(message);
        this.checkpointSize = checkpointSize;
        this.journalSize = journalSize;
        this.firstDifferingSeq = firstDifferingSeq;
    }

    public long checkpointSize() {
        return checkpointSize;
    }

    public long journalSize() {
        return journalSize;
    }

    /** The first seq that differs from the checkpointed history, or 0 when no earlier tree could tell. */
    public long firstDifferingSeq() {
        return firstDifferingSeq;
    }
}
