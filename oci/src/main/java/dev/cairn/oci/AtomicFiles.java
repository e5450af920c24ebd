package dev.cairn.oci;

import dev.cairn.io.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * The durable steps the image writers are made of: a file written whole under a temporary name, fsynced, renamed into
 * place and its directory fsynced, so that a reader (or a crash) sees the old file or the new one, never part of one;
 * and directories made durably. Files are made 0644 and directories 0755, as skopeo makes layouts: they are shared
 * artifacts, not a store's private state. A crash can leave a temporary file ({@code .cairn-*.tmp}) behind, never a
 * partial file under a real name. Stateless and thread-safe.
 */
final class AtomicFiles {

    static final String TEMP_PREFIX = ".cairn-";
    static final String TEMP_SUFFIX = ".tmp";

    /** What writes a temporary file's contents. */
    @FunctionalInterface
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** A fresh temporary name in {@code dir}; the file is not created. */
    static Path tempIn(Path dir, String what) {
        return dir.resolve(TEMP_PREFIX + what + "-" + UUID.randomUUID() + TEMP_SUFFIX);
    }

    /**
     * Writes {@code target} atomically: {@code content} goes to a temporary file in {@code tempDir} (same file system),
     * which is fsynced and renamed over {@code target}; both directories are fsynced. On any failure the temporary file
     * is removed and {@code target} is as it was.
     */
    static void write(Path target, Path tempDir, Content content) throws IOException {
        Path temp = tempIn(tempDir, target.getFileName().toString());
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            DurableFiles.renameDurable(temp, target);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** {@link #write} of bytes. */
    static void write(Path target, byte[] bytes) throws IOException {
        write(target, target.getParent(), out -> out.write(bytes));
    }

    /** {@link #write} of a stream's bytes. */
    static void copy(Path target, Path tempDir, InputStream in) throws IOException {
        write(target, tempDir, in::transferTo);
    }

    /** Creates {@code dir} and any missing parents (0755), each made durable in its parent. */
    static void mkdirs(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return;
        }
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new java.nio.file.FileAlreadyExistsException(abs.toString(), null, "exists and is not a directory");
        }
        mkdirs(abs.getParent());
        try {
            Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(abs)) {
                throw e;
            }
            return; // made by someone else meanwhile
        }
        DurableFiles.syncDir(abs.getParent());
    }
}
