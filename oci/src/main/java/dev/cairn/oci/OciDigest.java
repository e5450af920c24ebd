package dev.cairn.oci;

import dev.cairn.model.Digest;
import dev.cairn.model.UnsupportedImageException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A digest as an OCI descriptor writes it, {@code <algorithm>:<encoded>}, following the grammar of the image spec's
 * descriptor section. Any digest of that grammar can be held and compared, so that documents naming an unknown
 * algorithm can still be read and copied; content can be verified only for the registered algorithms this JVM has:
 * {@code sha256} (64 lowercase hex) and {@code sha512} (128 lowercase hex). {@code blake3} is registered but the JDK
 * has no implementation, so blake3 content cannot be verified and is refused where it must be.
 *
 * <p>The store speaks {@link Digest} (sha256 only); {@link #of(Digest)} and {@link #toSha256()} convert.
 * Immutable and thread-safe.
 */
public record OciDigest(String algorithm, String encoded) {

    public static final String SHA256 = "sha256";
    public static final String SHA512 = "sha512";

    private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*");
    private static final Pattern ENCODED = Pattern.compile("[a-zA-Z0-9=_-]+");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern HEX128 = Pattern.compile("[a-f0-9]{128}");

    /** @throws IllegalArgumentException if either part breaks the grammar, or a registered algorithm's encoding */
    public OciDigest {
        if (algorithm == null || !ALGORITHM.matcher(algorithm).matches()) {
            throw new IllegalArgumentException("not a digest algorithm: '" + algorithm + "'");
        }
        if (encoded == null || !ENCODED.matcher(encoded).matches()) {
            throw new IllegalArgumentException("not a digest encoding: '" + encoded + "'");
        }
        Pattern registered = switch (algorithm) {
            case SHA256, "blake3" -> HEX64;
            case SHA512 -> HEX128;
            default -> null;
        };
        if (registered != null && !registered.matcher(encoded).matches()) {
            throw new IllegalArgumentException("not a " + algorithm + " digest: '" + algorithm + ":" + encoded
                    + "' (want " + (registered == HEX64 ? 64 : 128) + " lowercase hex characters)");
        }
    }

    /**
     * Parses {@code <algorithm>:<encoded>}.
     *
     * @throws IllegalArgumentException if the text is not of the digest grammar
     */
    public static OciDigest parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not a digest: '" + text + "' (want <algorithm>:<encoded>)");
        }
        return new OciDigest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** The same sha256 digest. */
    public static OciDigest of(Digest digest) {
        return new OciDigest(SHA256, digest.hex());
    }

    /** The sha256 of the given bytes, the canonical digest of a document Cairn writes. */
    public static OciDigest sha256(byte[] bytes) {
        return of(Digest.sha256(bytes));
    }

    /** Whether content can be verified against this digest here (sha256 or sha512). */
    public boolean verifiable() {
        return algorithm.equals(SHA256) || algorithm.equals(SHA512);
    }

    /**
     * A fresh hasher for this digest's algorithm.
     *
     * @param subject names the content in the error, e.g. {@code blob sha512:...}
     * @throws UnsupportedImageException if the algorithm is not sha256 or sha512
     */
    public MessageDigest newHasher(String subject) throws UnsupportedImageException {
        String jdkName = switch (algorithm) {
            case SHA256 -> "SHA-256";
            case SHA512 -> "SHA-512";
            default -> throw new UnsupportedImageException(subject,
                    "digest algorithm " + algorithm + " cannot be verified (Cairn verifies sha256 and sha512)");
        };
        try {
            return MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no " + jdkName, e);
        }
    }

    /** The digest of the given hash output, in this digest's algorithm. */
    OciDigest withHash(byte[] hash) {
        return new OciDigest(algorithm, HexFormat.of().formatHex(hash));
    }

    /** The digest as a store {@link Digest}, if it is sha256. */
    public Optional<Digest> toSha256() {
        return algorithm.equals(SHA256) ? Optional.of(new Digest(encoded)) : Optional.empty();
    }

    /** {@code <algorithm>:<encoded>}. */
    @Override
    public String toString() {
        return algorithm + ":" + encoded;
    }
}
