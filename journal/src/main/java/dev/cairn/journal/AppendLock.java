package dev.cairn.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock that serializes the appends of every thread and process to one journal directory. Taking it takes, in
 * this order, this JVM's lock for the directory (so that no two journals of one JVM ever ask for the same
 * {@link FileLock}, which the JDK refuses with {@link java.nio.channels.OverlappingFileLockException}), then a
 * {@link FileLock} on {@code <dir>/append.lock}, waiting for other processes:
 * <ul>
 *   <li>{@link #exclusive()} to write a batch (or anything else under the journal's name, such as its head
 *   checkpoint or a repair);
 *   <li>{@link #shared()} to read the journal while no batch is half written: a verification, or a read-only
 *   journal's catching up. Shared holders run side by side across processes; within one JVM they queue.
 * </ul>
 * A process that dies releases it with its file descriptors: the lock never outlives a crash. Thread-safe.
 */
final class AppendLock implements Closeable {

    /** The lock file, inside the journal directory. */
    static final String FILE = "append.lock";

    /** One lock per journal directory in this JVM: a FileLock must never be requested twice by one JVM. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final boolean readOnly;
    private final ReentrantLock jvmLock;
    private final FileChannel channel;

    private AppendLock(boolean readOnly, ReentrantLock jvmLock, FileChannel channel) {
        this.readOnly = readOnly;
        this.jvmLock = jvmLock;
        this.channel = channel;
    }

    /**
     * Opens the lock of the journal in {@code dir} (a real path: one directory, one JVM lock), creating the lock file
     * unless {@code readOnly}; a read-only lock can only be taken {@link #shared()}.
     *
     * @throws java.nio.file.NoSuchFileException if {@code readOnly} and there is no lock file
     */
    static AppendLock open(Path dir, boolean readOnly) throws IOException {
        Set<StandardOpenOption> access = readOnly ? Set.of(StandardOpenOption.READ)
                : Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel channel = FileChannel.open(dir.resolve(FILE), access);
        return new AppendLock(readOnly, JVM_LOCKS.computeIfAbsent(dir, d -> new ReentrantLock()), channel);
    }

    /** Takes the lock for writing, waiting for every other holder. */
    Held exclusive() throws IOException {
        if (readOnly) {
            throw new IllegalStateException("a read-only journal never takes its append lock exclusively");
        }
        return take(false);
    }

    /** Takes the lock for reading a journal no one is writing into, waiting for a writer's batch to end. */
    Held shared() throws IOException {
        return take(true);
    }

    private Held take(boolean shared) throws IOException {
        jvmLock.lock();
        try {
            return new Held(shared ? channel.lock(0, Long.MAX_VALUE, true) : channel.lock());
        } catch (IOException | RuntimeException | Error e) {
            jvmLock.unlock();
            throw e;
        }
    }

    /** Whether this thread holds the lock (either way). */
    boolean heldByCurrentThread() {
        return jvmLock.isHeldByCurrentThread();
    }

    /** Closes the lock file. Holders must have let go. Idempotent. */
    @Override
    public void close() {
        jvmLock.lock();
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was written through this channel
        } finally {
            jvmLock.unlock();
        }
    }

    /** The lock, held until {@link #close()}. Used by the thread that took it. */
    final class Held implements AutoCloseable {
        private final FileLock lock;

        private Held(FileLock lock) {
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                lock.release();
            } catch (IOException ignored) {
                // the channel is gone, and with it the lock
            } finally {
                jvmLock.unlock();
            }
        }
    }
}
