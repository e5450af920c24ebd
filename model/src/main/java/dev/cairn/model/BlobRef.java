package dev.cairn.model;

import java.util.Objects;

/**
 * A blob the store keeps in {@code <root>/blobs/}, named by its content: its sha256 digest and its size in bytes.
 * Immutable.
 */
public record BlobRef(Digest digest, long size) {

    public BlobRef {
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("blob " + digest + ": negative size " + size);
        }
    }

    @Override
    public String toString() {
        return digest + " (" + size + " bytes)";
    }
}
