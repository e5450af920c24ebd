package dev.cairn.model;

/**
 * The journal failed verification: a bad checksum, a broken hash chain, a gap in seq, an unreadable record or a
 * file Chronicle set aside. Never skipped: the store refuses to open until the journal is repaired.
 *
 * <p>Bytes that are sound but were written by a newer Cairn are not damage: they are
 * {@link FormatTooNewException}, which repair never cuts.
 */
public final class JournalCorruptedException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final long seq;
    private final String position;
    private final String reason;

    /**
     * @param seq      the seq of the damaged record, or the seq expected at that place; 0 when unknown
     * @param position where in the journal (file and index) the damage is
     * @param reason   what is wrong, with the values involved
     */
    public JournalCorruptedException(long seq, String position, String reason) {
        super("journal damaged at seq " + seq + " (" + position + "): " + reason);
        this.seq = seq;
        this.position = position;
        this.reason = reason;
    }

    public long seq() {
        return seq;
    }

    public String position() {
        return position;
    }

    /** What is wrong, without the seq and position (the message holds all three). */
    public String reason() {
        return reason;
    }
}
