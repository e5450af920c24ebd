package dev.cairn.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The few file-system steps the crash protocol is made of, each durable when it returns. Never follows a symlink
 * inside the store: a layer's contents are data, not directions.
 */
public final class DurableFiles {

    private DurableFiles() {
    }

    /** fsyncs a directory, making the entries created, renamed or removed in it durable. */
    public static void syncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * fsyncs every regular file directly inside {@code dir}, then {@code dir} itself: a folder of files written
     * without syncs (a copy, a rebuilt journal) made durable as a whole. Symlinks and subfolders are left alone.
     */
    public static void syncFilesAndDir(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                }
            }
        }
        syncDir(dir);
    }

    /** Creates {@code dir} (mode 0700) if absent, and makes its entry in the parent durable. */
    public static void mkdirDurable(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        syncDir(dir.getParent());
    }

    /** Renames {@code from} to {@code to} atomically and makes both directory entries durable. */
    public static void renameDurable(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        syncDir(to.getParent());
        if (!from.getParent().equals(to.getParent())) {
            syncDir(from.getParent());
        }
    }

    /**
     * Writes a whole small file durably and atomically: {@code content} goes into a new temporary file beside it,
     * created with {@code permissions} (e.g. {@code "rw-------"}, so the content is never readable by more than
     * that, not even for a moment), which is fsynced and then renamed (replacing an existing file) or hard-linked
     * (failing if one exists) into place; the directory is fsynced. A reader sees the old file or the whole new one.
     *
     * @param replace whether an existing file is replaced
     * @throws java.nio.file.FileAlreadyExistsException if the file exists and {@code replace} is false; nothing
     *                                                  is changed then
     */
    public static void writeFile(Path file, byte[] content, String permissions, boolean replace) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            if (replace) {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.createLink(file, tmp);
                Files.delete(tmp);
            }
            syncDir(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes a file or a whole tree if it exists, without following symlinks, and syncs the parent. */
    public static void removeTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                // A directory without write or search permission (mode 0500, say) cannot be emptied until it has.
                if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) {
                    throw exc;
                }
                deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
        syncDir(path.getParent());
    }

    private static void deleteIfExists(Path p) throws IOException {
        try {
            Files.deleteIfExists(p);
        } catch (DirectoryNotEmptyException e) {
            throw new IOException("could not empty " + p, e);
        }
    }

    /** The names of the entries of {@code dir}, sorted; empty if it does not exist. */
    public static List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        return names;
    }

    /** The bytes of {@code file}; empty if there is no such file. */
    public static java.util.Optional<byte[]> readIfExists(Path file) throws IOException {
        try {
            return java.util.Optional.of(Files.readAllBytes(file));
        } catch (java.nio.file.NoSuchFileException e) {
            return java.util.Optional.empty();
        }
    }
}
