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
 * right after their last write, and closed — fsynced first in {@link Mode#EACH_FILE} — on background threads while
 * extraction goes on ({@link ExtractOptions#fsyncParallelism()} threads; 0 does it on the caller's thread);
 * directories are synced last, once their entries and metadata are final. In {@link Mode#SYNCFS} nothing is synced
 * one by one: {@link #syncFileSystem()}, called once everything of the layer is written, is one {@code syncfs(2)}.
 * At most {@value #MAX_OPEN} handed-over files are open at once: the extracting thread waits for a slot.
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
    private final ExecutorService pool;
    private final Semaphore open = new Semaphore(MAX_OPEN);
    private final AtomicReference<IOException> failure = new AtomicReference<>();

    private Syncer(Mode mode, Path root, int parallelism) {
        this.mode = mode;
        this.root = root;
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
        return new Syncer(mode, root, options.fsyncParallelism());
    }

    Mode mode() {
        return mode;
    }

    /** Whether files written outside this syncer (the manifest, the tar record) must be fsynced one by one. */
    boolean syncsEachFile() {
        return mode == Mode.EACH_FILE;
    }

    /** Takes ownership of {@code channel}: it is forced (in {@link Mode#EACH_FILE}) and closed. */
    void fileWritten(FileChannel channel, Path path) throws IOException {
        boolean force = mode == Mode.EACH_FILE;
        if (pool == null) {
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
        if (mode != Mode.EACH_FILE) {
            return;
        }
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

    /** Waits for every queued sync; throws the first failure. Call once; the syncer is unusable afterwards. */
    void finish() throws IOException {
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
        IOException f = failure.get();
        if (f != null) {
            throw f;
        }
    }

    /**
     * In {@link Mode#SYNCFS}, makes everything written on the root's file system durable with one syncfs; call it
     * after {@link #finish()} and after the last file of the layer (manifest, record) is written. Otherwise nothing.
     */
    void syncFileSystem() throws IOException {
        if (mode != Mode.SYNCFS) {
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
