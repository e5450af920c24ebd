package dev.cairn.model;

import java.util.Objects;

/**
 * How a checkout ({@code LayerStore.checkout}) makes the regular files of a checkout. Immutable.
 *
 * @param files    where each file's contents come from
 * @param progress told the entries made so far and the number to make, after each entry
 */
public record CheckoutOptions(FileSource files, ProgressListener progress) {

    /** How a checkout's regular files are made from the store's. */
    public enum FileSource {
        /**
         * A copy-on-write clone ({@code FICLONE}) where the file system can make one, else a copy. Always safe: the
         * checkout is independent of the store. The default.
         */
        REFLINK_OR_COPY,
        /** Always a full copy. */
        COPY,
        /**
         * A hardlink to the store's file: no space and almost no time, but the checkout shares inodes with the
         * store, so writing a file of the checkout changes the layer in the store (found by {@code verify --deep},
         * not undone). For read-only use only. The store's file also takes the manifest's owner and xattrs. Falls
         * back to a clone or copy across file systems.
         */
        HARDLINK_UNSAFE
    }

    /** Clones where possible, else copies. */
    public static final CheckoutOptions DEFAULTS = new CheckoutOptions(FileSource.REFLINK_OR_COPY);

    public CheckoutOptions {
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(progress, "progress");
    }

    /** Files made from {@code files}, no progress reported. */
    public CheckoutOptions(FileSource files) {
        this(files, ProgressListener.NONE);
    }

    /** The same, reporting progress to {@code listener}. */
    public CheckoutOptions withProgress(ProgressListener listener) {
        return new CheckoutOptions(files, listener);
    }
}
