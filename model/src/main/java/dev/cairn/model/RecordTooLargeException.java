package dev.cairn.model;

/**
 * An event too large for one journal record: its record, envelope included, would pass the journal's limit
 * ({@code Journal.MAX_RECORD_BYTES}). Refused before anything is written; the journal is as it was. The usual
 * cause is a free-text field (metadata, flags) carrying what belongs in a file.
 */
public final class RecordTooLargeException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final long size;
    private final long limit;

    /**
     * @param what  the event, in words ({@code a MetadataSet of layer 3f…})
     * @param size  the record's size in bytes
     * @param limit the largest record the journal holds
     */
    public RecordTooLargeException(String what, long size, long limit) {
        super("the journal record of " + what + " would be " + size + " bytes, more than the journal's limit of "
                + limit + " bytes; nothing was written");
        this.size = size;
        this.limit = limit;
    }

    /** The record's size in bytes. */
    public long size() {
        return size;
    }

    /** The largest record the journal holds, in bytes. */
    public long limit() {
        return limit;
    }
}
