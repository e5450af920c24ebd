package dev.cairn.archive;

import dev.cairn.io.Posix;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes written files and directories durable, one of three ways ({@link Mode}). Files are handed over still open,
 * right after their last write; one to be fsynced ({@link Mode#EACH_FILE}) is fsynced and closed on background
 * threads while extraction goes on ({@link ExtractOptions#fsyncParallelism()} threads; 0 does it on the caller's
 * thread), one that is not is closed on the caller's thread at once;
 * directories are synced last, once their entries and metadata are final. In {@link Mode#SYNCFS} nothing is synced
 * one by one: {@link #syncFileSystem()}, called once everything of the layer is written, is one {@code syncfs(2)}.
 * At most {@value #MAX_OPEN} handed-over files are open at once: the extracting thread waits for a slot.
 *
 * <p>A small layer in {@link Mode#SYNCFS} is synced file by file after all: one syncfs also writes out every other
 * program's dirty pages on that file system, so a 10-file import right after someone wrote a gigabyte there waited
 * for that gigabyte (docs/BENCHMARKS.md: 342 ms against 27 ms with an fsync per file). The first
 * {@link ExtractOptions#syncfsMinFiles()} - 1 files are therefore held open; if the layer ends before that many
 * more arrive, {@link #finish()} fsyncs each of them and each directory, and {@link #syncsEachFile()} tells the
 * caller to fsync its own files too, exactly as in {@link Mode#EACH_FILE}; the moment a layer reaches the count, the
 * held files are closed unsynced and the layer is left to the one syncfs. Bytes do not enter the choice: an fsync
 * writes a file's own pages, which the syncfs would write as well.
 *
 * <p>Called by one extracting thread. {@link #finish()} returns only when every handed-over file is closed (and
 * synced) and throws the first failure, naming the path.
 */
final class Syncer {

    static final int MAX_OPEN = 256;
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** How the extracted layer is made durable. */
    enum Mode {
        /** fsync each file and each directory. */
        EACH_FILE,
        /** one syncfs of the whole file system when the layer is written. */
        SYNCFS,
        /** nothing ({@link ExtractOptions#unsafeNoSync()}). */
        NONE
    }

    private final Mode mode;
    private final Path root;
    private final int syncfsMinFiles;
    /** In {@link Mode#SYNCFS}, while the layer is still small: its files, open, and its finished directories. */
    private final java.util.List<FileChannel> heldFiles = new java.util.ArrayList<>();
    private final java.util.List<Path> heldPaths = new java.util.ArrayList<>();
    private final java.util.List<Path> heldDirectories = new java.util.ArrayList<>();
    /** In {@link Mode#SYNCFS}: whether the layer has reached {@link #syncfsMinFiles} files (syncfs it is). */
    private boolean large;
    private final ExecutorService pool;
    private final Semaphore open = new Semaphore(MAX_OPEN);
    private final AtomicReference<IOException> failure = new AtomicReference<>();

    private Syncer(Mode mode, Path root, int parallelism, int syncfsMinFiles) {
        this.mode = mode;
        this.root = root;
        this.syncfsMinFiles = syncfsMinFiles;
        this.large = syncfsMinFiles <= 1;
        this.pool = mode != Mode.NONE && parallelism > 0
                ? new ThreadPoolExecutor(parallelism, parallelism, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                        r -> {
                            Thread t = new Thread(r, "cairn-fsync-" + THREADS.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        })
                : null;
    }

    /** A syncer for a layer written under {@code root}: syncfs where it reports errors and is asked for. */
    static Syncer create(ExtractOptions options, Path root) {
        Mode mode = options.unsafeNoSync() ? Mode.NONE
                : options.syncfs() && Posix.syncfsReportsErrors() ? Mode.SYNCFS : Mode.EACH_FILE;
        return new Syncer(mode, root, options.fsyncParallelism(), options.syncfsMinFiles());
    }

    Mode mode() {
        return mode;
    }

    /**
     * Whether files written outside this syncer (the manifest, the tar record) must be fsynced one by one: in
     * {@link Mode#EACH_FILE}, and for a small layer in {@link Mode#SYNCFS}. Known only after {@link #finish()}.
     */
    boolean syncsEachFile() {
        return mode == Mode.EACH_FILE || mode == Mode.SYNCFS && !large;
    }

    /**
     * Takes ownership of {@code channel}: it is forced (in {@link Mode#EACH_FILE}, and for a layer that stays small
     * in {@link Mode#SYNCFS}) and closed.
     */
    void fileWritten(FileChannel channel, Path path) throws IOException {
        if (mode == Mode.SYNCFS && !large) {
            if (heldFiles.size() + heldDirectories.size() + 1 < syncfsMinFiles) {
                heldFiles.add(channel);
                heldPaths.add(path);
                return;
            }
            becomeLarge();
        }
        close(channel, path, mode == Mode.EACH_FILE);
    }

    /** The layer has reached the count: it is synced by syncfs, and what was held only needs closing. */
    private void becomeLarge() throws IOException {
        large = true;
        heldDirectories.clear();
        for (int i = 0; i < heldFiles.size(); i++) {
            close(heldFiles.get(i), heldPaths.get(i), false);
        }
        heldFiles.clear();
        heldPaths.clear();
    }

    private void close(FileChannel channel, Path path, boolean force) throws IOException {
        // A close without an fsync is cheaper done here than handed to a pool thread (a futex wake-up and a
        // semaphore each way: 7,800 futex calls for an 8,149-entry import on tmpfs).
        if (pool == null || !force) {
            try (channel) {
                if (force) {
                    force(channel, path);
                }
            }
            return;
        }
        acquire();
        pool.execute(() -> {
            try (channel) {
                if (force) {
                    force(channel, path);
                }
            } catch (IOException e) {
                fail(e);
            } finally {
                open.release();
            }
        });
    }

    /** Queues an fsync of a directory whose entries are final. */
    void directoryDone(Path dir) throws IOException {
        if (mode == Mode.SYNCFS && !large) {
            if (heldFiles.size() + heldDirectories.size() + 1 < syncfsMinFiles) {
                heldDirectories.add(dir);
                return;
            }
            becomeLarge();
        }
        if (mode != Mode.EACH_FILE) {
            return;
        }
        syncDirectoryInBackground(dir);
    }

    private void syncDirectoryInBackground(Path dir) throws IOException {
        if (pool == null) {
            syncDirectory(dir);
            return;
        }
        acquire();
        pool.execute(() -> {
            try {
                syncDirectory(dir);
            } catch (IOException e) {
                fail(e);
            } finally {
                open.release();
            }
        });
    }

    /**
     * Waits for every queued sync (for a small layer in {@link Mode#SYNCFS}: fsyncs its held files, then its
     * directories); throws the first failure. Call once; the syncer is unusable afterwards.
     */
    void finish() throws IOException {
        if (mode == Mode.SYNCFS && !large) {
            for (int i = 0; i < heldFiles.size(); i++) {
                try {
                    close(heldFiles.get(i), heldPaths.get(i), failure.get() == null);
                } catch (IOException e) {
                    fail(e); // and close the rest all the same
                }
            }
            heldFiles.clear();
            heldPaths.clear();
            awaitPool();
            for (Path dir : heldDirectories) {
                if (failure.get() == null) {
                    try {
                        syncDirectory(dir);
                    } catch (IOException e) {
                        fail(e);
                    }
                }
            }
            heldDirectories.clear();
        }
        awaitPool();
        IOException f = failure.get();
        if (f != null) {
            throw f;
        }
    }

    /** Waits until the background threads have done all they were given. */
    private void awaitPool() {
        if (pool != null) {
            pool.shutdown();
            boolean interrupted = false;
            while (true) {
                try {
                    if (pool.awaitTermination(1, TimeUnit.DAYS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * In {@link Mode#SYNCFS}, for a layer that reached {@link ExtractOptions#syncfsMinFiles()} files, makes everything
     * written on the root's file system durable with one syncfs; call it after {@link #finish()} and after the last
     * file of the layer (manifest, record) is written. Otherwise nothing.
     */
    void syncFileSystem() throws IOException {
        if (mode != Mode.SYNCFS || !large) {
            return;
        }
        try {
            Posix.syncfs(root);
        } catch (IOException e) {
            throw new IOException("syncfs failed for the file system of " + root + ": " + e.getMessage(), e);
        }
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            force(ch, dir);
        }
    }

    private static void force(FileChannel channel, Path path) throws IOException {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw new IOException("fsync failed for " + path + ": " + e.getMessage(), e);
        }
    }

    private void acquire() throws IOException {
        try {
            open.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for fsyncs");
        }
    }

    private void fail(IOException e) {
        failure.compareAndSet(null, e);
    }
}
