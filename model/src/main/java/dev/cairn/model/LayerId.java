package dev.cairn.model;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A layer's id: exactly 64 lowercase hex characters (DESIGN.md section 2). Checked on construction, so a
 * {@code LayerId} is always safe to use as a path segment.
 */
public record LayerId(String hex) {

    /** The number of hex characters in an id. */
    public static final int HEX_LENGTH = 64;


    public LayerId {
        if (hex == null || !isValid(hex)) {
            throw new IllegalArgumentException("not a layer id: '" + hex + "' (want 64 lowercase hex characters)");
        }
    }

    /** Whether {@code text} has the form of a layer id. */
    public static boolean isValid(String text) {
        return LowerHex.is(text, 64);
    }

    public static LayerId of(String hex) {
        return new LayerId(hex);
    }

    /** A random id, for layers created without a diff and without an explicit id. */
    public static LayerId random() {
        return new LayerId(dev.cairn.model.internal.RandomHex.of(32));
    }

    /**
     * The id containers/image gives a layer when it commits an image into containers/storage
     * ({@code storage_dest.go}), and so the default id of a layer made from a diff (DESIGN.md section 2): for a base
     * layer the hex of its DiffID, else {@code hex(sha256(parentLayerId + "+" + diffIdHex))} — the parent's layer id
     * and the DiffID's hex joined by {@code +}, no {@code sha256:} prefixes. Not the OCI chain id
     * ({@link Layer#chainId}), which containerd and Docker use: the two agree only for a base layer.
     */
    public static LayerId forDiff(Optional<LayerId> parent, Digest diffId) {
        if (parent.isEmpty()) {
            return new LayerId(diffId.hex());
        }
        String text = parent.get().hex() + "+" + diffId.hex();
        return new LayerId(Digest.sha256(text.getBytes(StandardCharsets.US_ASCII)).hex());
    }

    @Override
    public String toString() {
        return hex;
    }
}
