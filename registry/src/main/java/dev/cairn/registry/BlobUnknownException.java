package dev.cairn.registry;

import dev.cairn.model.CairnException;
import dev.cairn.oci.OciDigest;

/** The repository holds no blob of that digest (the spec's {@code BLOB_UNKNOWN}). */
public final class BlobUnknownException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final transient RepositoryName repository;
    private final transient OciDigest digest;

    public BlobUnknownException(RepositoryName repository, OciDigest digest) {
        super("blob " + digest + " is unknown to repository " + repository);
        this.repository = repository;
        this.digest = digest;
    }

    public RepositoryName repository() {
        return repository;
    }

    public OciDigest digest() {
        return digest;
    }
}
