package dev.cairn.model;


/**
 * An image's id: the hex of its config's sha256 digest, as containers/storage names images (64 lowercase hex
 * characters). Checked on construction, so an {@code ImageId} is always safe to use as a path segment. Immutable.
 */
public record ImageId(String hex) {


    public ImageId {
        if (hex == null || !isValid(hex)) {
            throw new IllegalArgumentException("not an image id: '" + hex + "' (want 64 lowercase hex characters)");
        }
    }

    /** Whether {@code text} has the form of an image id. */
    public static boolean isValid(String text) {
        return LowerHex.is(text, 64);
    }

    public static ImageId of(String hex) {
        return new ImageId(hex);
    }

    /** The id of the image whose config has this digest. */
    public static ImageId ofConfig(Digest config) {
        return new ImageId(config.hex());
    }

    @Override
    public String toString() {
        return hex;
    }
}
