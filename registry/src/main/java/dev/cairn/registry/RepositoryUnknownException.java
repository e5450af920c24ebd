package dev.cairn.registry;

import dev.cairn.model.CairnException;

/** No repository of that name exists (the spec's {@code NAME_UNKNOWN}): nothing was ever pushed to it. */
public final class RepositoryUnknownException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final transient RepositoryName repository;

    public RepositoryUnknownException(RepositoryName repository) {
        super("repository " + repository + " is unknown");
        this.repository = repository;
    }

    public RepositoryName repository() {
        return repository;
    }
}
