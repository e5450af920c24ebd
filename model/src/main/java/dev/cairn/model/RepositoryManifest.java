package dev.cairn.model;

import java.util.Objects;

/**
 * A manifest or index a registry repository served from the store holds: its digest as pushed, the sha256 under which
 * its exact bytes are kept, the media type it was pushed as, its size, the digest its {@code subject} names (null if
 * none) and the image record it became (null for an index or an artifact). Immutable.
 */
public record RepositoryManifest(String digest, Digest content, String mediaType, long size, String subject,
                                 ImageId image) {
    public RepositoryManifest {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(mediaType, "mediaType");
    }
}
