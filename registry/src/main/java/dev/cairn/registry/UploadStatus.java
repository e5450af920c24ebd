package dev.cairn.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * An upload session as it stands: its id and repository, the digest algorithm its bytes are hashed with as they come
 * ({@code sha256} unless the client asked for another with {@code digest-algorithm}), how many bytes it holds durably
 * ({@code offset}: the next chunk must start there), and when it started. Immutable and thread-safe.
 */
public record UploadStatus(UploadId id, RepositoryName repository, String algorithm, long offset, Instant started) {
    public UploadStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(started, "started");
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
    }
}
