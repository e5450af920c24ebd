package dev.cairn.model;

import java.util.Objects;

/**
 * A blob a registry repository served from the store holds: its digest as the client named it ({@code sha256:…} or
 * {@code sha512:…}), the sha256 under which the store keeps the bytes, and its size. Immutable.
 */
public record RepositoryBlob(String digest, Digest content, long size) {
    public RepositoryBlob {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(content, "content");
    }
}
