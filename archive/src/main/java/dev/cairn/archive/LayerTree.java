package dev.cairn.archive;

import dev.cairn.model.CorruptArchiveException;
import dev.cairn.model.Digest;
import dev.cairn.model.UnsafeArchiveException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layer folder being filled: the one place that turns archive names into files, and the security boundary of
 * extraction. Its invariants:
 * <ul>
 * <li>Names are cleaned lexically: empty and {@code .} components and leading {@code /} are dropped, {@code ..}
 *     removes the previous component, and a {@code ..} with nothing left to remove is refused. An absolute name
 *     therefore lands inside the root, as containers/storage does.</li>
 * <li>Every parent of a written path is a real directory, checked without following links (or created by this
 *     tree); a symlink or a file where a parent should be is refused. Checked directories are remembered, and
 *     forgotten when a later entry replaces them.</li>
 * <li>Whatever already exists at a written path is removed first (a directory over a directory merges); files are
 *     created with {@code O_CREAT|O_EXCL} semantics and links are never followed, so nothing is written through a
 *     symlink, whatever the archive made before.</li>
 * <li>A hardlink's target must be a regular file already inside the tree, reached through real directories.</li>
 * </ul>
 * This relies on no other process changing the folder during extraction (it is the store's private staging
 * folder). Directory modes and times are applied by {@link #finish()}, deepest-latest first, so that a read-only
 * directory does not block its own extraction. Not thread-safe: one extracting thread.
 */
final class LayerTree {

    /** Mode, modification and access time to apply to a path. */
    record Meta(int mode, FileTime mtime, FileTime atime) { }

    private final Path root;
    private final Syncer syncer;
    private final Set<String> directories = new HashSet<>();
    private final Map<String, Meta> directoryMeta = new LinkedHashMap<>();
    private final byte[] buffer = new byte[TarStreamPump.BUFFER_SIZE];

    LayerTree(Path root, Syncer syncer) {
        this.root = root;
        this.syncer = syncer;
        directories.add("");
    }

    /**
     * The cleaned, root-relative form of an archive name: {@code ""} for the root, else components joined by
     * {@code /}.
     *
     * @throws UnsafeArchiveException if a {@code ..} would leave the root or the name holds a NUL
     */
    static String clean(String entry, String name) throws UnsafeArchiveException {
        if (name.indexOf('\0') >= 0) {
            throw new UnsafeArchiveException(entry, "the name contains a NUL byte");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new UnsafeArchiveException(entry, "'" + name + "' leads outside the layer ('..')");
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    /** Writes a regular file from {@code content} (read to its end) and returns its sha256. */
    Digest writeFile(String entry, String rel, InputStream content, Meta meta) throws IOException {
        Path path = pathFor(entry, rel, false);
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (FileAlreadyExistsException e) {
            removeExisting(rel, path, false);
            channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        }
        MessageDigest sha256 = Digest.newSha256();
        try {
            ByteBuffer bytes = ByteBuffer.wrap(buffer);
            int n;
            while ((n = content.read(buffer, 0, buffer.length)) >= 0) {
                sha256.update(buffer, 0, n);
                bytes.clear().limit(n);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }
            applyMeta(path, meta);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        syncer.fileWritten(channel, path);
        return Digest.ofBytes(sha256.digest());
    }

    void directory(String entry, String rel, Meta meta) throws IOException {
        if (!rel.isEmpty()) {
            Path path = pathFor(entry, rel, true);
            if (!removeExisting(rel, path, true)) {
                Files.createDirectory(path);
            }
            directories.add(rel);
        }
        directoryMeta.put(rel, meta);
    }

    void symlink(String entry, String rel, String target, Meta meta) throws IOException {
        if (target.isEmpty()) {
            throw new CorruptArchiveException("entry '" + entry + "': a symlink with an empty target");
        }
        Path link;
        try {
            link = Path.of(target);
        } catch (InvalidPathException e) {
            throw new UnsafeArchiveException(entry, "symlink target cannot be represented: " + e.getMessage());
        }
        Path path = pathFor(entry, rel, false);
        removeExisting(rel, path, false);
        Files.createSymbolicLink(path, link);
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(meta.mtime(), meta.atime(), null);
    }

    /** Links {@code rel} to {@code targetRel}, both cleaned names; the target must be a regular file in the tree. */
    void hardlink(String entry, String rel, String targetRel) throws IOException {
        if (targetRel.isEmpty()) {
            throw new UnsafeArchiveException(entry, "hardlink to the layer root");
        }
        if (rel.equals(targetRel)) {
            requireRegularTarget(entry, targetRel);
            return;
        }
        Path path = pathFor(entry, rel, false);
        removeExisting(rel, path, false);
        Path target = requireRegularTarget(entry, targetRel);
        Files.createLink(path, target);
    }

    /** Checks the name and clears its place for an entry that is recorded but not created (devices, fifos). */
    void reserve(String entry, String rel) throws IOException {
        Path path = pathFor(entry, rel, false);
        removeExisting(rel, path, false);
    }

    /** Applies directory modes and times, then queues every directory for fsync. */
    void finish() throws IOException {
        List<Map.Entry<String, Meta>> metas = new ArrayList<>(directoryMeta.entrySet());
        for (int i = metas.size() - 1; i >= 0; i--) {
            String rel = metas.get(i).getKey();
            applyMeta(rel.isEmpty() ? root : root.resolve(rel), metas.get(i).getValue());
        }
        for (String rel : directories) {
            syncer.directoryDone(rel.isEmpty() ? root : root.resolve(rel));
        }
    }

    /** Deletes everything under the root (not the root itself), never following links. */
    void removeAll() throws IOException {
        deleteTree(root, false);
    }

    private Path requireRegularTarget(String entry, String targetRel) throws IOException {
        Path target = root.resolve(targetRel);
        int slash = targetRel.lastIndexOf('/');
        if (slash > 0) {
            checkParents(entry, targetRel.substring(0, slash), false);
        }
        BasicFileAttributes a = lstat(target);
        if (a == null || !a.isRegularFile()) {
            throw new UnsafeArchiveException(entry, "hardlink target '" + targetRel + "' is "
                    + (a == null ? "not in the layer" : a.isSymbolicLink() ? "a symlink" : "not a regular file")
                    + "; a hardlink must name a regular file extracted before it");
        }
        return target;
    }

    /** The path for a non-root entry whose parents are checked (and created if missing). */
    private Path pathFor(String entry, String rel, boolean directory) throws IOException {
        if (rel.isEmpty()) {
            throw new UnsafeArchiveException(entry, "a non-directory entry would replace the layer root");
        }
        int slash = rel.lastIndexOf('/');
        if (slash > 0) {
            checkParents(entry, rel.substring(0, slash), true);
        }
        return root.resolve(rel);
    }

    private void checkParents(String entry, String parentRel, boolean create) throws IOException {
        if (directories.contains(parentRel)) {
            return;
        }
        int from = 0;
        while (from <= parentRel.length()) {
            int slash = parentRel.indexOf('/', from);
            int end = slash < 0 ? parentRel.length() : slash;
            String prefix = parentRel.substring(0, end);
            from = end + 1;
            if (directories.contains(prefix)) {
                continue;
            }
            Path path = root.resolve(prefix);
            BasicFileAttributes a = lstat(path);
            if (a == null) {
                if (!create) {
                    throw new UnsafeArchiveException(entry, "'" + prefix + "' does not exist in the layer");
                }
                Files.createDirectory(path);
            } else if (a.isSymbolicLink()) {
                throw new UnsafeArchiveException(entry, "'" + prefix
                        + "' is a symlink; nothing is written or linked through a symlink");
            } else if (!a.isDirectory()) {
                throw new UnsafeArchiveException(entry, "'" + prefix + "' is not a directory");
            }
            directories.add(prefix);
        }
    }

    /**
     * Removes what exists at {@code path}, unless both it and the new entry are directories. Returns whether a
     * directory stays to be merged into.
     */
    private boolean removeExisting(String rel, Path path, boolean newIsDirectory) throws IOException {
        BasicFileAttributes a = lstat(path);
        if (a == null) {
            return false;
        }
        if (a.isDirectory()) {
            if (newIsDirectory) {
                return true;
            }
            deleteTree(path, true);
            String under = rel + "/";
            directories.removeIf(d -> d.equals(rel) || d.startsWith(under));
            directoryMeta.keySet().removeIf(d -> d.equals(rel) || d.startsWith(under));
            return false;
        }
        Files.delete(path);
        return false;
    }

    private static void applyMeta(Path path, Meta meta) throws IOException {
        Files.setAttribute(path, "unix:mode", meta.mode() & 07777);
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(meta.mtime(), meta.atime(), null);
    }

    private static BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Deletes a tree without following links, making directories writable first (they may be read-only). */
    private static void deleteTree(Path top, boolean includingTop) throws IOException {
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Set<PosixFilePermission> perms = EnumSet.of(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
                perms.addAll(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
                Files.setPosixFilePermissions(dir, perms);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                if (includingTop || !dir.equals(top)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
