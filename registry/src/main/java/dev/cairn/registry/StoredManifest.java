package dev.cairn.registry;

import dev.cairn.oci.OciDigest;
import java.util.Objects;

/**
 * A manifest or index as a repository holds it: the digest it was pushed under, the media type it was pushed with, and
 * the exact bytes received (a registry must serve them unchanged). Immutable and thread-safe: {@link #bytes()} is a
 * copy.
 */
public final class StoredManifest {

    private final OciDigest digest;
    private final String mediaType;
    private final byte[] bytes;

    public StoredManifest(OciDigest digest, String mediaType, byte[] bytes) {
        this.digest = Objects.requireNonNull(digest, "digest");
        this.mediaType = Objects.requireNonNull(mediaType, "mediaType");
        this.bytes = bytes.clone();
    }

    public OciDigest digest() {
        return digest;
    }

    public String mediaType() {
        return mediaType;
    }

    /** A copy of the bytes as pushed. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return "manifest " + digest + " (" + mediaType + ", " + bytes.length + " bytes)";
    }
}
