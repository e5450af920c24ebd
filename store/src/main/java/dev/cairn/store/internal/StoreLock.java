package dev.cairn.store.internal;

import dev.cairn.model.StoreLockedException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writers' lock, {@code <root>/store.lock} (DESIGN.md section 6): held for each short critical section of a
 * write — the checks and the start event of a saga, a names change — never for a saga's heavy work, an extraction or
 * the life of a process. Across processes it is an OS file lock, which the kernel drops when its process dies, so a
 * killed writer never blocks the next one; within a JVM one reentrant lock per lock file, shared by every
 * {@code StoreLock} on it, serialises threads, and one descriptor per lock file is kept open (POSIX would drop the
 * process's lock when any descriptor of the file closed). Thread-safe.
 */
public final class StoreLock implements AutoCloseable {

    /** Guarded by itself: the shared state per lock file of this JVM. */
    private static final Map<Path, Shared> SHARED = new HashMap<>();

    private static final class Shared {
        final FileChannel channel;
        final ReentrantLock local = new ReentrantLock();
        FileLock held;
        int users;

        Shared(FileChannel channel) {
            this.channel = channel;
        }
    }

    private final Path file;
    private final Shared shared;
    private boolean closed;

    public StoreLock(Path file) throws IOException {
        this.file = file;
        Path key = file.toAbsolutePath().normalize();
        synchronized (SHARED) {
            Shared s = SHARED.get(key);
            if (s == null) {
                s = new Shared(FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE));
                SHARED.put(key, s);
            }
            s.users++;
            this.shared = s;
        }
    }

    /** A held lock; closing it releases one hold. */
    public interface Hold extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * Takes the lock, waiting up to {@code timeout} for other threads and processes.
     *
     * @throws StoreLockedException if it was not free in time
     */
    public Hold acquire(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!shared.local.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new StoreLockedException(file, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + file);
        }
        try {
            if (shared.local.getHoldCount() == 1) {
                shared.held = takeFileLock(deadline, timeout);
            }
        } catch (IOException | RuntimeException e) {
            shared.local.unlock();
            throw e;
        }
        return this::release;
    }

    /** Whether the calling thread holds the lock. */
    public boolean heldByCurrentThread() {
        return shared.local.isHeldByCurrentThread();
    }

    private FileLock takeFileLock(long deadline, Duration timeout) throws IOException {
        long pause = 1;
        while (true) {
            FileLock lock;
            try {
                lock = shared.channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() >= deadline) {
                throw new StoreLockedException(file, timeout);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + file);
            }
            pause = Math.min(pause * 2, 20);
        }
    }

    private void release() throws IOException {
        try {
            if (shared.local.getHoldCount() == 1 && shared.held != null) {
                shared.held.release();
                shared.held = null;
            }
        } finally {
            shared.local.unlock();
        }
    }

    /** Gives up this user's share; the descriptor is closed when the last one in this JVM does. Idempotent. */
    @Override
    public void close() throws IOException {
        synchronized (SHARED) {
            if (closed) {
                return;
            }
            closed = true;
            if (--shared.users == 0) {
                SHARED.values().remove(shared);
                shared.channel.close();
            }
        }
    }
}
