package dev.cairn.registry;

import dev.cairn.model.CairnException;

/**
 * A chunk did not start where the upload stands, or the session is busy with another chunk right now (HTTP 416: the
 * client asks for the status and resumes from {@link #offset()}). Nothing of the chunk was kept.
 */
public final class UploadRangeException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final transient UploadStatus status;

    public UploadRangeException(UploadStatus status, String why) {
        super("upload " + status.id() + " in " + status.repository() + " holds " + status.offset() + " bytes: " + why);
        this.status = status;
    }

    /** The session as it stands, unchanged by the refused chunk. */
    public UploadStatus status() {
        return status;
    }

    /** Where the next chunk must start. */
    public long offset() {
        return status.offset();
    }
}
