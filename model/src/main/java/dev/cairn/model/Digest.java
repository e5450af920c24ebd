package dev.cairn.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A content digest in OCI form, {@code sha256:<64 lowercase hex>}. Only sha256 is produced or accepted.
 * Immutable and thread-safe.
 */
public record Digest(String hex) {

    /** The only algorithm Cairn writes; OCI's canonical one. */
    public static final String SHA256 = "sha256";


    public Digest {
        if (hex == null || !LowerHex.is(hex, 64)) {
            throw new IllegalArgumentException("not a sha256 digest: '" + hex + "' (want 64 lowercase hex characters)");
        }
    }

    /** Parses {@code sha256:<hex>}; a bare 64-hex string is refused so that the algorithm is never guessed. */
    public static Digest parse(String text) {
        if (text == null || !text.startsWith(SHA256 + ":")) {
            throw new IllegalArgumentException("not a digest: '" + text + "' (want sha256:<64 hex>)");
        }
        return new Digest(text.substring(SHA256.length() + 1));
    }

    /** The digest of the given bytes. */
    public static Digest sha256(byte[] bytes) {
        return new Digest(HexFormat.of().formatHex(newSha256().digest(bytes)));
    }

    /** A digest from the raw 32 bytes a {@link MessageDigest} returned. */
    public static Digest ofBytes(byte[] raw) {
        return new Digest(HexFormat.of().formatHex(raw));
    }

    /** A fresh sha256 {@link MessageDigest}; every JVM has one. */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** The raw 32 bytes. */
    public byte[] bytes() {
        return HexFormat.of().parseHex(hex);
    }

    /** {@code sha256:<hex>}. */
    @Override
    public String toString() {
        return SHA256 + ":" + hex;
    }
}
