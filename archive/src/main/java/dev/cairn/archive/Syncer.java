package dev.cairn.archive;

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
 * Makes written files and directories durable. Files are handed over still open, right after their last write, and
 * fsynced on background threads while extraction goes on ({@link ExtractOptions#fsyncParallelism()} threads; 0 syncs
 * on the caller's thread); directories are synced last, once their entries and metadata are final. At most
 * {@value #MAX_OPEN} handed-over files are open at once: the extracting thread waits for a slot.
 *
 * <p>Called by one extracting thread. {@link #finish()} returns only when every sync has ended and throws the first
 * failure, naming the path.
 */
final class Syncer {

    static final int MAX_OPEN = 256;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final boolean enabled;
    private final ExecutorService pool;
    private final Semaphore open = new Semaphore(MAX_OPEN);
    private final AtomicReference<IOException> failure = new AtomicReference<>();

    private Syncer(boolean enabled, int parallelism) {
        this.enabled = enabled;
        this.pool = enabled && parallelism > 0
                ? new ThreadPoolExecutor(parallelism, parallelism, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                        r -> {
                            Thread t = new Thread(r, "cairn-fsync-" + THREADS.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        })
                : null;
    }

    static Syncer create(ExtractOptions options) {
        return new Syncer(!options.unsafeNoSync(), options.fsyncParallelism());
    }

    /** Takes ownership of {@code channel}: it is forced (if syncing) and closed. */
    void fileWritten(FileChannel channel, Path path) throws IOException {
        if (!enabled) {
            channel.close();
            return;
        }
        if (pool == null) {
            try (channel) {
                force(channel, path);
            }
            return;
        }
        acquire();
        pool.execute(() -> {
            try (channel) {
                force(channel, path);
            } catch (IOException e) {
                fail(e);
            } finally {
                open.release();
            }
        });
    }

    /** Queues an fsync of a directory whose entries are final. */
    void directoryDone(Path dir) throws IOException {
        if (!enabled) {
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
