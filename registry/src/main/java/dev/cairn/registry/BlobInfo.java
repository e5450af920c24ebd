package dev.cairn.registry;

import dev.cairn.oci.OciDigest;
import java.util.Objects;

/** A blob a repository holds: its digest and size in bytes. Immutable and thread-safe. */
public record BlobInfo(OciDigest digest, long size) {
    public BlobInfo {
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
    }
}
