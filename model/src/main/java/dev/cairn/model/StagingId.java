package dev.cairn.model;

import java.security.SecureRandom;
import java.util.HexFormat;

/** The id of a staged diff: 32 lowercase hex characters, random. Safe to use as a path segment. */
public record StagingId(String hex) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public StagingId {
        if (hex == null || !isValid(hex)) {
            throw new IllegalArgumentException("not a staging id: '" + hex + "' (want 32 lowercase hex characters)");
        }
    }

    public static boolean isValid(String text) {
        return LowerHex.is(text, 32);
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
