package dev.cairn.model;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** The id of a staged diff: 32 lowercase hex characters, random. Safe to use as a path segment. */
public record StagingId(String hex) {

    private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public StagingId {
        if (hex == null || !isValid(hex)) {
            throw new IllegalArgumentException("not a staging id: '" + hex + "' (want 32 lowercase hex characters)");
        }
    }

    public static boolean isValid(String text) {
        return text != null && HEX32.matcher(text).matches();
    }

    public static StagingId of(String hex) {
        return new StagingId(hex);
    }

    public static StagingId random() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return new StagingId(HexFormat.of().formatHex(b));
    }

    @Override
    public String toString() {
        return hex;
    }
}
