package dev.cairn.journal;

import dev.cairn.io.Posix;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes sure the disk space behind the parts of a cycle file Chronicle is about to write through its memory map
 * really exists, so that a full disk becomes an {@link IOException} before the write instead of a SIGBUS that kills
 * the JVM during it (docs/JOURNAL.md, "Full disk").
 *
 * <p>On Linux, {@link Posix#allocate} ({@code fallocate(FALLOC_FL_KEEP_SIZE)}) allocates the range without changing
 * the file's size or any byte already in it: holes become allocated zeros, which Chronicle reads as "no document
 * here yet", exactly as it reads a hole. Where fallocate is not supported (or not on Linux) the check falls back to
 * the free space the file system reports, which is racy against other writers but still turns the common case into
 * an error. Failures are the JDK's file-system exceptions naming the file ({@code AccessDeniedException}, a
 * {@link FileSystemException} "No space left on device").
 *
 * <p>An instance remembers how far it has reserved the file it last reserved, so that {@link #ensure} asks the file
 * system only when a batch goes past that, and then for the part past it: the cost of a batch does not grow with the
 * file (a {@code fallocate} from offset 0 walks every page or extent already there, which on tmpfs cost a journal of
 * 100,000 records more than a millisecond per batch). Not thread-safe: the committer's; the static methods are.
 */
final class SpaceReservation {

    /** The file {@link #reservedEnd} is about; null before the first reservation. */
    private Path file;
    /** How far {@link #file} is known allocated: everything before this offset. */
    private long reservedEnd;

    /**
     * Makes sure the first {@code end} bytes of {@code file} are allocated. If they are not known to be, allocates up
     * to {@code end + ahead}, from where this last reserved (the start, for a file new to it), so that the next
     * batches find their space there already.
     *
     * @throws FileSystemException naming the file and the system's reason when the space cannot be had
     */
    void ensure(Path file, long end, long ahead) throws IOException {
        if (!file.equals(this.file)) {
            this.file = file;
            reservedEnd = 0;
        }
        if (end <= reservedEnd) {
            return;
        }
        long target = end + ahead;
        if (!Posix.allocate(file, reservedEnd, target - reservedEnd)) {
            requireFree(file, target - Files.size(file));
            return;
        }
        reservedEnd = target;
    }

    /**
     * Allocates the first {@code length} bytes of {@code file} (existing data untouched, size unchanged).
     *
     * @throws FileSystemException naming the file and the system's reason when the space cannot be had
     */
    static void reserve(Path file, long length) throws IOException {
        if (!Posix.allocate(file, 0, length)) {
            requireFree(file, length - Files.size(file));
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
}
