package dev.cairn.archive;

import dev.cairn.model.Digest;

/**
 * The layer with no entries: a tar of nothing but its two 512-byte end-of-archive blocks, as {@code tar -cf - -T
 * /dev/null} would write without record padding. A store uses these values for a layer created without a diff.
 */
public final class EmptyLayer {

    /** Length of the empty tar: two zero blocks. */
    public static final long DIFF_SIZE = 1024;

    /** sha256 of 1024 zero bytes. */
    public static final Digest DIFF_DIGEST =
            Digest.parse("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");

    private EmptyLayer() {
    }

    /** A fresh copy of the empty tar's bytes. */
    public static byte[] tar() {
        return new byte[(int) DIFF_SIZE];
    }
}
