package dev.cairn.io;

import dev.cairn.model.CairnException;

/**
 * Bytes that should be a {@link FrameFormat frame} of some format are not a sound one: too short, another magic or
 * name, a checksum that fails, a version no Cairn writes. They are not what was written. (Sound bytes of a newer
 * version are {@link dev.cairn.model.FormatTooNewException} instead.)
 *
 * <p>Callers with a damage type of their own translate it at one place, keeping {@link #reason()}: the journal
 * into {@link dev.cairn.model.JournalCorruptedException} with the record's seq, the archive into its corrupt-layer
 * type.
 */
public final class CorruptFrameException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String resource;
    private final String reason;

    /**
     * @param resource what the bytes are: a file, a journal position
     * @param reason   what is wrong, with the values found
     */
    public CorruptFrameException(String resource, String reason) {
        super(resource + ": " + reason);
        this.resource = resource;
        this.reason = reason;
    }

    /** What the bytes are: a file, a journal position. */
    public String resource() {
        return resource;
    }

    /** What is wrong, with the values found, without the resource. */
    public String reason() {
        return reason;
    }
}
