package dev.cairn.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A claim on a file of Cairn's own beside what a command writes outside the store, held (by an OS file lock that dies
 * with the process) for as long as that output is incomplete:
 * <ul>
 *   <li>{@code diff -o FILE} writes the tar into {@code .FILE.cairn-partial} and renames it to {@code FILE} when it
 *       is complete;</li>
 *   <li>{@code checkout REF DIR} writes the tree into {@code DIR} itself and keeps {@code .DIR.cairn-checkout}, a
 *       one-line note of what it is doing, beside it until the tree is complete.</li>
 * </ul>
 * Such a file whose lock is free was left by a run that was killed (SIGKILL, a crash): the next run of the command
 * recognises it by its name and free lock, and replaces it (for a checkout, the incomplete tree in {@code DIR} with
 * it). One whose lock is held belongs to a run still going, and is refused. Nothing else is ever removed: not a file
 * of the user's that merely has such a name but is not a regular file, and not {@code FILE} or a {@code DIR} that
 * has no such note.
 *
 * <p>Not thread-safe; one command holds one.
 */
final class PartialOutput implements AutoCloseable {

    /** The suffix of a partial file ({@code diff -o}). */
    static final String FILE_SUFFIX = ".cairn-partial";
    /** The suffix of a checkout's note. */
    static final String TREE_SUFFIX = ".cairn-checkout";

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final String leftover;
    private volatile boolean committed;

    private PartialOutput(Path path, FileChannel channel, FileLock lock, String leftover) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.leftover = leftover;
    }

    /** {@code .NAME<suffix>} beside {@code target}. */
    static Path besides(Path target, String suffix) {
        Path t = target.toAbsolutePath().normalize();
        return t.resolveSibling("." + Objects.requireNonNull(t.getFileName(), "a root has no sibling") + suffix);
    }

    /**
     * Claims {@code path}: creates it new and locks it; a leftover there (a regular file whose lock is free) is
     * removed first, what it said kept in {@link #leftover()}.
     *
     * @throws FileAlreadyExistsException if another live command holds it, or something there is not a regular file
     */
    static PartialOutput claim(Path path) throws IOException {
        String leftover = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                try {
                    FileLock lock = tryLock(ch);
                    // Another run may have taken our new file for a leftover between the create and the lock.
                    if (lock != null && sameFile(ch, path)) {
                        return new PartialOutput(path, ch, lock, leftover);
                    }
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
                ch.close();
                continue;
            } catch (FileAlreadyExistsException e) {
                // there is one: a leftover, or a live run's
            }
            String said = removeIfLeftover(path);
            leftover = leftover == null ? said : leftover;
        }
        throw new FileAlreadyExistsException(path.toString(), null, "another cairn command is writing it");
    }

    /**
     * Removes {@code path} if it is a leftover (a regular file whose lock is free) and returns what it held; does
     * nothing if it is gone meanwhile.
     *
     * @throws FileAlreadyExistsException if it is held by a live command or is not a regular file
     */
    private static String removeIfLeftover(Path path) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return null;
        }
        if (!a.isRegularFile()) {
            throw new FileAlreadyExistsException(path.toString(), null,
                    "is in the way and is not a file cairn left (not a regular file); remove it");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            FileLock lock = tryLock(ch);
            if (lock == null) {
                throw new FileAlreadyExistsException(path.toString(), null,
                        "another cairn command is writing it (its lock is held)");
            }
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(a.size(), 4096));
            ch.read(head, 0);
            String said = new String(head.array(), 0, head.position(), StandardCharsets.UTF_8);
            Files.deleteIfExists(path);
            lock.release();
            return said;
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (OverlappingFileLockException heldByThisProcess) {
            return null;
        }
    }

    /**
     * Whether the file at {@code path} is the channel's: a token written through the channel must read back through
     * the path. The file is empty again afterwards.
     */
    private static boolean sameFile(FileChannel ch, Path path) throws IOException {
        byte[] token = ("cairn " + ProcessHandle.current().pid() + " " + System.nanoTime() + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        ch.write(ByteBuffer.wrap(token), 0);
        try (FileChannel other = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer read = ByteBuffer.allocate(token.length);
            other.read(read, 0);
            return Arrays.equals(read.array(), token);
        } catch (NoSuchFileException gone) {
            return false;
        } finally {
            ch.truncate(0);
        }
    }

    /** Where the claim is. */
    Path path() {
        return path;
    }

    /** The channel of the claimed file, open for writing. */
    FileChannel channel() {
        return channel;
    }

    /** What a leftover replaced by this claim held (a checkout's note), or null if there was none. */
    String leftover() {
        return leftover;
    }

    /** Writes a note into the claimed file (a checkout's), durably enough to be read by a later run. */
    void note(String text) throws IOException {
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
    }

    /** Renames the claimed file to {@code target}, replacing what is there: the output is complete. */
    void commitTo(Path target) throws IOException {
        channel.force(true);
        Files.move(path, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        committed = true;
    }

    /** Removes the claimed file unless it was committed, and releases the claim. Idempotent. */
    @Override
    public void close() throws IOException {
        try {
            if (!committed) {
                Files.deleteIfExists(path);
            }
        } finally {
            channel.close(); // releases the lock
        }
    }

    /** Removes the claimed file without throwing: for the shutdown hook. */
    void removeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            // the next run finds it and replaces it
        }
    }

    /**
     * Removes everything in {@code dir} (and {@code dir} itself if {@code self}) without following links, giving
     * directories the owner's permissions first so that a read-only one can be emptied. A missing {@code dir} is
     * fine.
     */
    static void removeTree(Path dir, boolean self) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = walk.peek(PartialOutput::ownerMayWrite).sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            if (self || !p.equals(dir)) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void ownerMayWrite(Path p) {
        try {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            // its removal says what is wrong
        }
    }
}
