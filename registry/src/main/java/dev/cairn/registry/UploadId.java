package dev.cairn.registry;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The id of an upload session: 32 lowercase hex characters (128 random bits), the UUID a client finds in
 * {@code Location} and {@code Docker-Upload-UUID}. Unguessable, so knowing a repository does not let a client write
 * into someone else's upload; checked before it names anything on disk. Immutable and thread-safe.
 */
public record UploadId(String value) {

    private static final Pattern GRAMMAR = Pattern.compile("[0-9a-f]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** @throws IllegalArgumentException if the text is not an upload id */
    public UploadId {
        if (!isValid(value)) {
            throw new IllegalArgumentException("not an upload id: '" + value + "'");
        }
    }

    /** Whether the text is an upload id. */
    public static boolean isValid(String text) {
        return text != null && GRAMMAR.matcher(text).matches();
    }

    /** A fresh random id. */
    public static UploadId random() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return new UploadId(HexFormat.of().formatHex(bytes));
    }

    @Override
    public String toString() {
        return value;
    }
}
