package dev.cairn.model;

import java.time.Instant;
import java.util.Objects;

/**
 * An upload session of a registry served from the store, open since {@code started}: its id, repository and the
 * digest algorithm the client will close it with. Immutable.
 */
public record OpenUpload(String id, String repository, String algorithm, Instant started) {
    public OpenUpload {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(started, "started");
    }
}
