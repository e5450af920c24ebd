package dev.cairn.journal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes sure the disk space behind the parts of a cycle file Chronicle is about to write through its memory map
 * really exists, so that a full disk becomes an {@link IOException} before the write instead of a SIGBUS that kills
 * the JVM during it (docs/JOURNAL.md, "Full disk").
 *
 * <p>On Linux, {@code fallocate(FALLOC_FL_KEEP_SIZE)} allocates the range without changing the file's size or any
 * byte already in it: holes become allocated zeros, which Chronicle reads as "no document here yet", exactly as it
 * reads a hole. Where fallocate is not supported (or not on Linux) the check falls back to the free space the file
 * system reports, which is racy against other writers but still turns the common case into an error. Stateless and
 * thread-safe.
 */
final class SpaceReservation {

    private interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        String strerror(int errnum);
    }

    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 02000000;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int EOPNOTSUPP = 95;
    private static final int ENOSYS = 38;
    private static final int EINTR = 4;

    private static final LibC LIBC = Platform.isLinux() ? Native.load("c", LibC.class) : null;

    private SpaceReservation() {
    }

    /** Allocates the first {@code length} bytes of {@code file} (existing data untouched, size unchanged). */
    static void reserve(Path file, long length) throws IOException {
        reserve(file, 0, length);
    }

    /**
     * Allocates bytes {@code from} to {@code length} of {@code file} (existing data untouched, size unchanged). A
     * caller that knows it allocated the bytes before {@code from} already passes it: allocated space stays
     * allocated (Chronicle never punches holes), and a fallocate of the whole file walks all its extents, which
     * made the cost of an append grow with the journal.
     *
     * @throws FileSystemException naming the file and the system's reason ("No space left on device", "Read-only
     *                             file system", ...) when the space cannot be had
     */
    static void reserve(Path file, long from, long length) throws IOException {
        if (length <= from) {
            return;
        }
        if (LIBC == null) {
            requireFree(file, length - Files.size(file));
            return;
        }
        int fd;
        try {
            fd = LIBC.open(file.toString(), O_RDWR | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw failure(file, e, "cannot open to reserve space");
        }
        try {
            while (true) {
                try {
                    LIBC.fallocate(fd, FALLOC_FL_KEEP_SIZE, from, length - from);
                    return;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == EINTR) {
                        continue;
                    }
                    if (e.getErrorCode() == EOPNOTSUPP || e.getErrorCode() == ENOSYS) {
                        requireFree(file, length - Files.size(file));
                        return;
                    }
                    throw failure(file, e, "cannot reserve " + length + " bytes for the journal");
                }
            }
        } finally {
            try {
                LIBC.close(fd);
            } catch (LastErrorException ignored) {
                // nothing was written through this descriptor
            }
        }
    }

    /**
     * Requires {@code bytes} of free space on the file system of {@code path}.
     *
     * @throws FileSystemException "No space left on device" naming the path, with what is free and what is needed
     */
    static void requireFree(Path path, long bytes) throws IOException {
        long free = Files.getFileStore(path).getUsableSpace();
        if (free < bytes) {
            throw new FileSystemException(path.toString(), null, "No space left on device: " + free
                    + " bytes free, the journal needs " + bytes + " before it writes");
        }
    }

    private static FileSystemException failure(Path file, LastErrorException e, String what) {
        return new FileSystemException(file.toString(), null, LIBC.strerror(e.getErrorCode()) + " (" + what + ")");
    }
}
