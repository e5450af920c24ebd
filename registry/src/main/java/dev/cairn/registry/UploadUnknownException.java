package dev.cairn.registry;

import dev.cairn.model.CairnException;

/**
 * No upload session of that id is open in that repository (the spec's {@code BLOB_UPLOAD_UNKNOWN}): it never existed,
 * belongs to another repository, was completed, cancelled, or reclaimed as abandoned.
 */
public final class UploadUnknownException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final transient UploadId id;

    public UploadUnknownException(RepositoryName repository, UploadId id) {
        super("upload " + id + " is unknown to repository " + repository);
        this.id = id;
    }

    public UploadId id() {
        return id;
    }
}
