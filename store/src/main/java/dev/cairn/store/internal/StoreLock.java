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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writers' lock, {@code <root>/store.lock} (DESIGN.md section 6): held for each short critical section of a
 * write, never for a whole extraction or the life of a process. Across processes it is an OS file lock, which the
 * kernel drops when its process dies, so a killed writer never blocks the next one; within a process a reentrant
 * lock in front of it serialises threads (the JVM's file locks are per process). Thread-safe.
 */
public final class StoreLock implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final ReentrantLock local = new ReentrantLock();
    private FileLock held;

    public StoreLock(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
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
            if (!local.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new StoreLockedException(file, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + file);
        }
        try {
            if (local.getHoldCount() == 1) {
                held = takeFileLock(deadline, timeout);
            }
        } catch (IOException | RuntimeException e) {
            local.unlock();
            throw e;
        }
        return this::release;
    }

    /** Whether the calling thread holds the lock. */
    public boolean heldByCurrentThread() {
        return local.isHeldByCurrentThread();
    }

    private FileLock takeFileLock(long deadline, Duration timeout) throws IOException {
        long pause = 1;
        while (true) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // another LayerStore on the same root in this JVM holds it: wait for it like for a process
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
            if (local.getHoldCount() == 1 && held != null) {
                held.release();
                held = null;
            }
        } finally {
            local.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
