package dev.cairn.archive;

import dev.cairn.io.Posix;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * How {@link LayerExtractor#extract} bounds and persists one extraction. An immutable value: start from
 * {@link #DEFAULTS} and change it with {@link #toBuilder()}. Thread-safe; the progress callback it carries is only
 * ever called from the thread that runs the extraction.
 *
 * @param maxEntries         most tar entries accepted (each header that names a file, directory, link or device)
 * @param maxNameBytes       longest entry name or link target accepted, in UTF-8 bytes
 * @param maxPaxHeaderBytes  largest PAX extended header or GNU long-name/long-link block accepted, in bytes
 * @param maxDiffSize        most uncompressed bytes accepted, counting headers, padding and bytes after the tar's
 *                           end; also the most bytes written into files (a sparse entry expands) and the most raw
 *                           bytes read
 * @param fsyncParallelism   how many background threads close (and, without syncfs, fsync) written files while
 *                           extraction goes on; 0 does it on the extracting thread before it moves on (slowest, for
 *                           comparison)
 * @param syncfs             make the layer durable with one {@code syncfs(2)} of its file system after the last
 *                           file instead of an fsync per file and directory. Used only where syncfs reports failed
 *                           writeback ({@link Posix#syncfsReportsErrors()}: Linux 5.8 and later); elsewhere the
 *                           extraction fsyncs each file. It also flushes other programs' dirty data on that file
 *                           system, so a store sharing a busy file system may prefer {@code false}
 * @param syncfsMinFiles     with {@code syncfs}, the fewest files and directories a layer needs for the one syncfs;
 *                           a smaller layer is made durable by an fsync of each file and directory instead, so that a
 *                           small import does not wait for other programs' dirty data on the file system (1: always
 *                           syncfs)
 * @param unsafeNoSync       skip every fsync: a crash may leave a layer that looks complete but has empty or missing
 *                           files. Only for tests and throw-away stores.
 * @param progress           called with the count of raw (as received) bytes consumed so far, monotonically, at
 *                           least once per buffer and once at the end
 */
public record ExtractOptions(
        long maxEntries,
        int maxNameBytes,
        int maxPaxHeaderBytes,
        long maxDiffSize,
        int fsyncParallelism,
        boolean syncfs,
        int syncfsMinFiles,
        boolean unsafeNoSync,
        LongConsumer progress) {

    /**
     * Below this many files and directories a layer is fsynced file by file even where syncfs is used (see
     * {@link #syncfsMinFiles()}; docs/BENCHMARKS.md, "A small import after a big one"): 32, or the system property
     * {@code cairn.syncfsMinFiles}, which tests use to put small layers through the syncfs path (1: always syncfs).
     */
    public static final int SYNCFS_MIN_FILES = Math.max(1, Integer.getInteger("cairn.syncfsMinFiles", 32));

    /**
     * Limits generous enough for any real image (1,000,000 entries, 4096-byte names, 1 MiB PAX headers, 1 TiB),
     * durable through one syncfs per layer of {@value #SYNCFS_MIN_FILES} files or more (faster than an fsync per
     * file: docs/RELIABILITY.md) and an fsync per file below, 4 background threads (measured best of 1, 4, 8, 16 on
     * ext4 for 5,000 small files).
     */
    public static final ExtractOptions DEFAULTS =
            new ExtractOptions(1_000_000, 4096, 1 << 20, 1L << 40, 4, true, SYNCFS_MIN_FILES, false, bytes -> { });

    public ExtractOptions {
        Objects.requireNonNull(progress, "progress");
        if (maxEntries < 0 || maxNameBytes < 1 || maxPaxHeaderBytes < 0 || maxDiffSize < 0 || fsyncParallelism < 0
                || syncfsMinFiles < 1) {
            throw new IllegalArgumentException("limits must not be negative (name length at least 1): " + this);
        }
    }

    /** A builder holding this value's settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable, single-threaded helper to derive an {@link ExtractOptions}. */
    public static final class Builder {
        private long maxEntries;
        private int maxNameBytes;
        private int maxPaxHeaderBytes;
        private long maxDiffSize;
        private int fsyncParallelism;
        private boolean syncfs;
        private int syncfsMinFiles;
        private boolean unsafeNoSync;
        private LongConsumer progress;

        private Builder(ExtractOptions from) {
            maxEntries = from.maxEntries;
            maxNameBytes = from.maxNameBytes;
            maxPaxHeaderBytes = from.maxPaxHeaderBytes;
            maxDiffSize = from.maxDiffSize;
            fsyncParallelism = from.fsyncParallelism;
            syncfs = from.syncfs;
            syncfsMinFiles = from.syncfsMinFiles;
            unsafeNoSync = from.unsafeNoSync;
            progress = from.progress;
        }

        public Builder maxEntries(long value) {
            maxEntries = value;
            return this;
        }

        public Builder maxNameBytes(int value) {
            maxNameBytes = value;
            return this;
        }

        public Builder maxPaxHeaderBytes(int value) {
            maxPaxHeaderBytes = value;
            return this;
        }

        public Builder maxDiffSize(long value) {
            maxDiffSize = value;
            return this;
        }

        public Builder fsyncParallelism(int value) {
            fsyncParallelism = value;
            return this;
        }

        /** See {@link ExtractOptions#syncfs()}. */
        public Builder syncfs(boolean value) {
            syncfs = value;
            return this;
        }

        /** See {@link ExtractOptions#syncfsMinFiles()}. */
        public Builder syncfsMinFiles(int value) {
            syncfsMinFiles = value;
            return this;
        }

        /** See {@link ExtractOptions#unsafeNoSync()}: a crash may lose what was extracted. */
        public Builder unsafeNoSync(boolean value) {
            unsafeNoSync = value;
            return this;
        }

        public Builder progress(LongConsumer value) {
            progress = value;
            return this;
        }

        public ExtractOptions build() {
            return new ExtractOptions(maxEntries, maxNameBytes, maxPaxHeaderBytes, maxDiffSize, fsyncParallelism,
                    syncfs, syncfsMinFiles, unsafeNoSync, progress);
        }
    }
}
