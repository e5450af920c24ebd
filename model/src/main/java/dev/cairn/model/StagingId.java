package dev.cairn.model;


/** The id of a staged diff: 32 lowercase hex characters, random. Safe to use as a path segment. */
public record StagingId(String hex) {


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
        return new StagingId(dev.cairn.model.internal.RandomHex.of(16));
    }

    @Override
    public String toString() {
        return hex;
    }
}
