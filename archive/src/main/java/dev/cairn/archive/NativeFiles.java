package dev.cairn.archive;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * The file calls a checkout needs beyond {@link Posix}: copy-on-write clones and times set without following or
 * opening anything.
 *
 * <p>Clones of files ({@code ioctl(FICLONE)}, Linux 4.5+): on btrfs, XFS with reflink, bcachefs and
 * similar the clone shares its blocks with the source until either is written, so it costs no space and no time, and
 * writing the clone never changes the source. ext4 and tmpfs have no reflinks: there the call fails and the caller
 * copies. Thread-safe.
 */
final class NativeFiles {

    private interface LibC extends Library {
        int open(String path, int flags, int mode) throws LastErrorException;

        int ioctl(int fd, NativeLong request, int srcFd) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int utimensat(int dirfd, String path, long[] times, int flags) throws LastErrorException;

        String strerror(int errnum);
    }

    /** {@code _IOW(0x94, 9, int)}. */
    private static final long FICLONE = 0x40049409L;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_CLOEXEC = 02000000;

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;

    private static final LibC LIBC = load();

    private NativeFiles() {
    }

    private static LibC load() {
        if (!Platform.isLinux()) {
            return null;
        }
        try {
            return Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    /**
     * Creates {@code target} (which must not exist; a symlink there is not followed) as a clone of {@code source}.
     * Returns false, with nothing left at {@code target}, where the file system cannot clone (no reflinks, two
     * file systems, not Linux); then the caller should copy.
     *
     * @throws IOException if {@code source} cannot be opened or {@code target} cannot be created
     */
    static boolean cloneFile(Path source, Path target, int permissions) throws IOException {
        if (LIBC == null) {
            return false;
        }
        int src = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
        try {
            int dst = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions & 0777);
            boolean cloned = false;
            try {
                LIBC.ioctl(dst, new NativeLong(FICLONE), src);
                cloned = true;
            } catch (LastErrorException e) {
                // EOPNOTSUPP, EXDEV, EINVAL, ENOTTY…: this file system (pair) cannot clone; the caller copies.
            } finally {
                closeQuietly(dst);
                if (!cloned) {
                    java.nio.file.Files.deleteIfExists(target);
                }
            }
            return cloned;
        } finally {
            closeQuietly(src);
        }
    }

    /**
     * Sets access and modification time of a path itself, a symlink, fifo or device included, without opening it
     * ({@code utimensat(AT_SYMLINK_NOFOLLOW)}); the JDK's no-follow variant opens whatever is not a symlink, which
     * blocks on a fifo.
     */
    static void setTimes(Path path, java.time.Instant atime, java.time.Instant mtime) throws IOException {
        if (LIBC == null) {
            throw new UnsupportedOperationException("utimensat is not available on " + System.getProperty("os.name"));
        }
        long[] times = {atime.getEpochSecond(), atime.getNano(), mtime.getEpochSecond(), mtime.getNano()};
        try {
            LIBC.utimensat(AT_FDCWD, path.toString(), times, AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw new FileSystemException(path.toString(), null, "utimensat: " + LIBC.strerror(e.getErrorCode()));
        }
    }

    private static int open(Path path, int flags, int mode) throws IOException {
        try {
            return LIBC.open(path.toString(), flags, mode);
        } catch (LastErrorException e) {
            throw new FileSystemException(path.toString(), null, "open: " + LIBC.strerror(e.getErrorCode()));
        }
    }

    private static void closeQuietly(int fd) {
        try {
            LIBC.close(fd);
        } catch (LastErrorException ignored) {
            // nothing was written through this descriptor that a failed close could lose
        }
    }
}
