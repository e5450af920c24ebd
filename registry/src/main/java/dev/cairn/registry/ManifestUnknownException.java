package dev.cairn.registry;

import dev.cairn.model.CairnException;

/** The repository holds no manifest by that tag or digest (the spec's {@code MANIFEST_UNKNOWN}). */
public final class ManifestUnknownException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final transient RepositoryName repository;
    private final String reference;

    /** @param reference the tag or digest asked for */
    public ManifestUnknownException(RepositoryName repository, String reference) {
        super("manifest " + reference + " is unknown to repository " + repository);
        this.repository = repository;
        this.reference = reference;
    }

    public RepositoryName repository() {
        return repository;
    }

    /** The tag or digest asked for. */
    public String reference() {
        return reference;
    }
}
