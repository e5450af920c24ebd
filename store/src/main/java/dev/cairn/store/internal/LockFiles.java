package dev.cairn.store.internal;

import dev.cairn.io.DurableFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The saga owner locks of this JVM ({@code <root>/owners/<lock>}, DESIGN.md section 3): OS file locks, which the
 * kernel drops when the process dies, so a lock that can be taken names a dead owner (or a finished saga).
 *
 * <p>Why every lock goes through here: POSIX drops all of a process's locks on a file when <em>any</em> of its
 * descriptors for that file is closed, and the JVM's file locks are per process. So a probe that opened and closed a
 * lock file this JVM holds would silently free it for every other process. This class keeps one registry of the
 * locks this JVM holds and never opens a file it holds; probes, takes and releases are serialised by one monitor
 * (each is a few system calls).
 *
 * <p>A new lock file appears already locked: it is made under a temporary name, locked, then renamed into place, so
 * no one ever finds a live owner's file unlocked. Lock files are not made durable: after a machine crash every owner
 * is dead, whether its file survived or not. Thread-safe.
 */
public final class LockFiles {

    /** The prefix of a lock file not yet renamed into place. */
    public static final String NEW_PREFIX = ".new-";

    private static final Object MONITOR = new Object();
    /** Guarded by MONITOR: the lock files this JVM holds. */
    private static final Map<Path, Owned> OWNED = new HashMap<>();

    private LockFiles() {
    }

    /** A lock this JVM holds. Closing it releases it; {@link #release(boolean)} may also remove its file. */
    public static final class Owned implements AutoCloseable {
        private final Path path;
        private final FileChannel channel;
        private final FileLock lock;
        private boolean released;

        private Owned(Path path, FileChannel channel, FileLock lock) {
            this.path = path;
            this.channel = channel;
            this.lock = lock;
        }

        /** The lock file. */
        public Path path() {
            return path;
        }

        /**
         * Releases the lock; with {@code forget}, removes the file first (for the last saga that uses this name: no
         * one will take it again, so no one waits on a file that is gone). Idempotent.
         */
        public void release(boolean forget) throws IOException {
            synchronized (MONITOR) {
                if (released) {
                    return;
                }
                released = true;
                OWNED.remove(path);
                try {
                    if (forget) {
                        Files.deleteIfExists(path);
                    }
                } finally {
                    try {
                        lock.release();
                    } finally {
                        channel.close();
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            release(false);
        }
    }

    /**
     * Makes the lock file {@code path}, already locked by this process.
     *
     * @throws IOException if it cannot be made or locked (another holder of a name that should be new)
     */
    public static Owned create(Path path) throws IOException {
        synchronized (MONITOR) {
            for (int attempt = 0; ; attempt++) {
                Path temp = path.resolveSibling(NEW_PREFIX + UUID.randomUUID() + "-" + path.getFileName());
                FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                try {
                    FileLock lock = channel.tryLock();
                    if (lock == null) {
                        // a recovery took it between our open and our lock, for a dead process's leftover, and
                        // removes the file: make another
                        channel.close();
                        if (attempt < 3) {
                            continue;
                        }
                        throw new IOException("cannot lock the new lock file " + temp);
                    }
                    try {
                        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
                    } catch (NoSuchFileException gone) {
                        // a recovery took and removed it before our lock; ours is a lock on a removed file
                        channel.close();
                        if (attempt < 3) {
                            continue;
                        }
                        throw gone;
                    }
                    Owned owned = new Owned(path, channel, lock);
                    OWNED.put(path, owned);
                    return owned;
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    Files.deleteIfExists(temp);
                    throw e;
                }
            }
        }
    }

    /**
     * Removes the lock files in {@code dir} that a process died making ({@link #NEW_PREFIX}, never renamed into
     * place): each is taken first, so one a live process is making right now (it holds its lock from the instant
     * after it is made) is left alone. They hold no data.
     */
    public static void forgetUnfinished(Path dir) throws IOException {
        synchronized (MONITOR) {
            for (String name : DurableFiles.list(dir)) {
                if (!name.startsWith(NEW_PREFIX)) {
                    continue;
                }
                Path file = dir.resolve(name);
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    FileLock lock = channel.tryLock();
                    if (lock != null) {
                        Files.deleteIfExists(file);
                        lock.release();
                    }
                } catch (NoSuchFileException e) {
                    // renamed into place or removed meanwhile
                } catch (OverlappingFileLockException e) {
                    // this JVM is making it
                }
            }
        }
    }

    /**
     * Takes the lock at {@code path} (making the file if it is missing) unless a live process holds it, this one
     * included.
     *
     * @return the lock, or empty if it is held
     */
    public static Optional<Owned> adopt(Path path) throws IOException {
        synchronized (MONITOR) {
            if (OWNED.containsKey(path)) {
                return Optional.empty();
            }
            FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            Owned owned = new Owned(path, channel, lock);
            OWNED.put(path, owned);
            return Optional.of(owned);
        }
    }

    /**
     * Whether a live process (this one included) holds the lock at {@code path}. Takes a shared lock for an instant
     * through a read-only descriptor, so it writes nothing and works on a read-only store.
     */
    public static boolean held(Path path) throws IOException {
        synchronized (MONITOR) {
            if (OWNED.containsKey(path)) {
                return true;
            }
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true);
                if (lock == null) {
                    return true;
                }
                lock.release();
                return false;
            } catch (NoSuchFileException e) {
                return false;
            } catch (OverlappingFileLockException e) {
                return true;
            }
        }
    }
}
