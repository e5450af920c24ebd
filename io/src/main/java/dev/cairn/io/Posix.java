package dev.cairn.io;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The POSIX calls a layer needs and the JDK lacks, through JNA to the C library: device nodes and fifos, ownership
 * of symlinks, extended attributes on anything, and {@code syncfs}. Linux only; every method that cannot work
 * elsewhere says so with {@link #available()} false and an {@link UnsupportedOperationException}.
 *
 * <p>Errors come back as the JDK's own file-system exceptions ({@link NoSuchFileException},
 * {@link AccessDeniedException}, …) naming the path and the errno text. Never follows a symlink. Thread-safe.
 */
public final class Posix {

    /** The libc functions used, bound by name. */
    private interface LibC extends Library {
        int geteuid();

        int mknod(String path, int mode, long dev) throws LastErrorException;

        int lchown(String path, int uid, int gid) throws LastErrorException;

        int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

        long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;

        long llistxattr(String path, byte[] list, long size) throws LastErrorException;

        int open(String path, int flags) throws LastErrorException;

        int open(String path, int flags, int mode) throws LastErrorException;

        int ioctl(int fd, com.sun.jna.NativeLong request, int srcFd) throws LastErrorException;

        int syncfs(int fd) throws LastErrorException;

        int utimensat(int dirfd, String path, long[] times, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        String strerror(int errnum);
    }

    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int EEXIST = 17;
    private static final int EPERM = 1;
    private static final int ENODATA = 61;
    private static final int ERANGE = 34;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int O_DIRECTORY = 0200000;

    /** File type bits of a mode, as in {@code <sys/stat.h>}. */
    public static final int S_IFIFO = 0010000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;

    private static final LibC LIBC = load();

    /**
     * The calls made once per extracted entry ({@code utimensat}, {@code lchown}), bound by JNA's direct mapping:
     * JNA's interface proxy (as {@link LibC}) costs several microseconds of reflection and marshalling per call,
     * about what the system call itself costs on tmpfs, on each of a layer's thousands of files.
     */
    private static final class PerEntry {
        private static final boolean BOUND = bind();

        private PerEntry() {
        }

        static native int utimensat(int dirfd, String path, long[] times, int flags) throws LastErrorException;

        static native int lchown(String path, int uid, int gid) throws LastErrorException;

        private static boolean bind() {
            if (LIBC == null) {
                return false;
            }
            try {
                Native.register(PerEntry.class, "c");
                return true;
            } catch (UnsatisfiedLinkError | IllegalArgumentException e) {
                return false;
            }
        }
    }

    private Posix() {
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

    /** Whether the calls work here (Linux with a C library JNA can load). */
    public static boolean available() {
        return LIBC != null;
    }

    /**
     * Whether {@link #syncfs} reports a failed writeback as an error: Linux 5.8 and later. Before that syncfs(2)
     * returned 0 even when pages could not be written, so it cannot stand in for an fsync per file.
     */
    public static boolean syncfsReportsErrors() {
        return available() && kernelAtLeast(System.getProperty("os.version", ""), 5, 8);
    }

    /** Whether a Linux release string ({@code 6.1.0-13-amd64}) is at least {@code major.minor}. */
    static boolean kernelAtLeast(String release, int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        if (!m.find()) {
            return false;
        }
        int ma = Integer.parseInt(m.group(1));
        int mi = Integer.parseInt(m.group(2));
        return ma > major || ma == major && mi >= minor;
    }

    /** Whether this process runs as root (effective uid 0): only then are devices and ownership applied. */
    public static boolean isRoot() {
        return LIBC != null && LIBC.geteuid() == 0;
    }

    /** Linux's {@code makedev}: the {@code dev_t} of a device number pair. */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    /**
     * Creates a device node or fifo. {@code type} is {@link #S_IFCHR}, {@link #S_IFBLK} or {@link #S_IFIFO};
     * {@code permissions} the low 12 mode bits (the umask applies, as for {@code mknod(2)}; set the mode after).
     */
    public static void mknod(Path path, int type, int permissions, long major, long minor) throws IOException {
        try {
            libc().mknod(path.toString(), type | (permissions & 07777), makedev(major, minor));
        } catch (LastErrorException e) {
            throw error(path, "mknod", e);
        }
    }

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;

    /**
     * Sets the access and modification times of a file, or of a symlink itself, without opening it
     * ({@code utimensat} with {@code AT_SYMLINK_NOFOLLOW}): safe on fifos and devices, where the JDK's
     * {@code BasicFileAttributeView.setTimes} opens the file and a fifo without a writer blocks it forever.
     */
    public static void lutimes(Path path, java.nio.file.attribute.FileTime atime,
                               java.nio.file.attribute.FileTime mtime) throws IOException {
        java.time.Instant a = atime.toInstant();
        java.time.Instant m = mtime.toInstant();
        long[] times = {a.getEpochSecond(), a.getNano(), m.getEpochSecond(), m.getNano()};
        try {
            if (PerEntry.BOUND) {
                PerEntry.utimensat(AT_FDCWD, path.toString(), times, AT_SYMLINK_NOFOLLOW);
            } else {
                libc().utimensat(AT_FDCWD, path.toString(), times, AT_SYMLINK_NOFOLLOW);
            }
        } catch (LastErrorException e) {
            throw error(path, "utimensat", e);
        }
    }

    /** {@code FICLONE = _IOW(0x94, 9, int)}. */
    private static final long FICLONE = 0x40049409L;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_NOFOLLOW = 0400000;

    /**
     * Creates {@code target} (which must not exist; a symlink there is not followed) as a copy-on-write clone of
     * {@code source} ({@code ioctl(FICLONE)}, Linux 4.5+, on btrfs, XFS with reflink, bcachefs…). Returns false,
     * with nothing left at {@code target}, where the file system (pair) cannot clone or the calls are not
     * available; the caller then copies.
     *
     * @throws IOException if {@code source} cannot be opened or {@code target} cannot be created
     */
    public static boolean cloneFile(Path source, Path target, int permissions) throws IOException {
        if (LIBC == null) {
            return false;
        }
        int src = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
        try {
            int dst = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions & 0777);
            boolean cloned = false;
            try {
                LIBC.ioctl(dst, new com.sun.jna.NativeLong(FICLONE), src);
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

    private static int open(Path path, int flags, int mode) throws IOException {
        try {
            return LIBC.open(path.toString(), flags, mode);
        } catch (LastErrorException e) {
            throw error(path, "open", e);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            LIBC.close(fd);
        } catch (LastErrorException ignored) {
            // nothing was written through this descriptor that a failed close could lose
        }
    }

    /** Sets the owner of a file, or of a symlink itself. */
    public static void lchown(Path path, long uid, long gid) throws IOException {
        try {
            if (PerEntry.BOUND) {
                PerEntry.lchown(path.toString(), (int) uid, (int) gid);
            } else {
                libc().lchown(path.toString(), (int) uid, (int) gid);
            }
        } catch (LastErrorException e) {
            throw error(path, "lchown", e);
        }
    }

    /** Sets an extended attribute on a file, or on a symlink itself. */
    public static void lsetxattr(Path path, String name, byte[] value) throws IOException {
        try {
            libc().lsetxattr(path.toString(), name, value, value.length, 0);
        } catch (LastErrorException e) {
            throw error(path, "lsetxattr " + name, e);
        }
    }

    /** An extended attribute's value, or null if the file has no such attribute. */
    public static byte[] lgetxattr(Path path, String name) throws IOException {
        for (int size = 256; ; size *= 4) {
            byte[] buf = new byte[size];
            try {
                long n = libc().lgetxattr(path.toString(), name, buf, buf.length);
                return java.util.Arrays.copyOf(buf, (int) n);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENODATA) {
                    return null;
                }
                if (e.getErrorCode() != ERANGE || size > (1 << 24)) {
                    throw error(path, "lgetxattr " + name, e);
                }
            }
        }
    }

    /** The names of a file's extended attributes (of a symlink itself), in the order the kernel gives. */
    public static List<String> llistxattr(Path path) throws IOException {
        for (int size = 1024; ; size *= 4) {
            byte[] buf = new byte[size];
            long n;
            try {
                n = libc().llistxattr(path.toString(), buf, buf.length);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != ERANGE || size > (1 << 24)) {
                    throw error(path, "llistxattr", e);
                }
                continue;
            }
            List<String> names = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == 0) {
                    names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return names;
        }
    }

    /**
     * Flushes every dirty page and inode of the file system that holds {@code anyPath} ({@code syncfs(2)}): one
     * call in place of an fsync per file when a whole tree was just written.
     */
    public static void syncfs(Path anyPath) throws IOException {
        int fd;
        try {
            fd = libc().open(anyPath.toString(), O_RDONLY | O_CLOEXEC | O_DIRECTORY);
        } catch (LastErrorException e) {
            throw error(anyPath, "open", e);
        }
        try {
            libc().syncfs(fd);
        } catch (LastErrorException e) {
            throw error(anyPath, "syncfs", e);
        } finally {
            try {
                libc().close(fd);
            } catch (LastErrorException ignored) {
                // The sync has happened or failed already; a failed close loses nothing.
            }
        }
    }

    private static LibC libc() {
        if (LIBC == null) {
            throw new UnsupportedOperationException("POSIX calls are not available on " + System.getProperty("os.name"));
        }
        return LIBC;
    }

    private static IOException error(Path path, String call, LastErrorException e) {
        int errno = e.getErrorCode();
        String reason = call + ": " + LIBC.strerror(errno);
        FileSystemException fse = switch (errno) {
            case ENOENT -> new NoSuchFileException(path.toString(), null, reason);
            case EACCES, EPERM -> new AccessDeniedException(path.toString(), null, reason);
            case EEXIST -> new FileAlreadyExistsException(path.toString(), null, reason);
            default -> new FileSystemException(path.toString(), null, reason);
        };
        fse.initCause(e);
        return fse;
    }

}
