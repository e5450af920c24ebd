package dev.cairn.archive;

import dev.cairn.io.Posix;
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
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
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

    /**
     * Mode, times and owner to apply to a path; the owner only when running as root, and {@code -1} for none.
     */
    record Meta(int mode, FileTime mtime, FileTime atime, long uid, long gid) {
        Meta(int mode, FileTime mtime, FileTime atime) {
            this(mode, mtime, atime, -1, -1);
        }
    }

    private static final boolean ROOT = Posix.available() && Posix.isRoot();
    private static final Set<java.nio.file.OpenOption> CREATE_FILE = Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    /** {@code asFileAttribute} of each of the 512 permission sets, indexed by the bits. */
    private static final FileAttribute<?>[] PERMISSIONS = allPermissions();

    /**
     * What this process's new files and folders get without being told, probed once per tree with a file created
     * asking for every permission: the permission bits creation keeps (the umask, or a default ACL) and the owner.
     * A file created with its archive mode needs no chmod when creation kept all of it, and no chown when the archive
     * names the owner it got anyway (root:root, for most of a layer extracted as root): two system calls fewer per
     * file. {@code keptPermissions} is 0 where the probe could not tell, so that every mode is set.
     */
    private record Creation(int keptPermissions, long uid, long gid) {
        static final Creation UNKNOWN = new Creation(0, -1, -1);

        /** Whether a path created asking for {@code requested} permissions needs a chmod to get {@code mode}. */
        boolean needsChmod(int mode, int requested) {
            int wanted = mode & 07777;
            return wanted != (requested & keptPermissions);
        }

        /** Whether a path created by this process needs a chown to be owned as {@code meta} says. */
        boolean needsChown(Meta meta) {
            return ROOT && meta.uid() >= 0 && meta.gid() >= 0 && (meta.uid() != uid || meta.gid() != gid);
        }
    }

    private final Path root;
    private final Syncer syncer;
    private final Set<String> directories = new HashSet<>();
    private final Map<String, Meta> directoryMeta = new LinkedHashMap<>();
    private final byte[] buffer = new byte[TarStreamPump.BUFFER_SIZE];
    /** Where displaced file contents go, or null to delete them. */
    private final Path shadow;
    private final Displaced displaced;
    /** The content number of each regular file written whose content the tar record references. */
    private final Map<String, Long> contentNumbers = new java.util.HashMap<>();
    private Creation creation;

    /** Told when a file the tar record references is moved into the shadow folder. */
    interface Displaced {
        void moved(long contentNumber) throws IOException;
    }

    LayerTree(Path root, Syncer syncer) {
        this(root, syncer, null, no -> { });
    }

    /**
     * A tree that keeps the contents of replaced files whose content number was given to {@link #keep}: they are
     * renamed to {@code shadow/<number>} instead of deleted, and {@code displaced} is told.
     */
    LayerTree(Path root, Syncer syncer, Path shadow, Displaced displaced) {
        this.root = root;
        this.syncer = syncer;
        this.shadow = shadow;
        this.displaced = displaced;
        directories.add("");
    }

    /** Marks the regular file at {@code rel} as holding the content numbered {@code number}. */
    void keep(String rel, long number) {
        contentNumbers.put(rel, number);
    }

    /** Writes content that has no place in the tree (a displaced duplicate's) straight to the shadow folder. */
    Path shadowFile(long number) throws IOException {
        Files.createDirectories(shadow);
        return shadow.resolve(Long.toString(number));
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
        return writeFile(entry, rel, content, meta, null, 0);
    }

    /**
     * Writes a regular file and returns the sha256 of the bytes read from {@code content}. With {@code sparse}
     * (offset and length pairs), {@code content} holds the data segments in order; they are written at their offsets,
     * holes are left unwritten and the file is extended to {@code realSize}.
     */
    Digest writeFile(String entry, String rel, InputStream content, Meta meta, long[] sparse, long realSize)
            throws IOException {
        Path path = pathFor(entry, rel, false);
        Creation created = creation();
        int requested = meta.mode() & 0777;
        FileAttribute<?> permissions = permissions(requested);
        FileChannel channel;
        try {
            channel = FileChannel.open(path, CREATE_FILE, permissions);
        } catch (FileAlreadyExistsException e) {
            removeExisting(rel, path, false);
            channel = FileChannel.open(path, CREATE_FILE, permissions);
        }
        MessageDigest sha256 = Digest.newSha256();
        try {
            ByteBuffer bytes = ByteBuffer.wrap(buffer);
            if (sparse == null) {
                int n;
                while ((n = content.read(buffer, 0, buffer.length)) >= 0) {
                    sha256.update(buffer, 0, n);
                    bytes.clear().limit(n);
                    while (bytes.hasRemaining()) {
                        channel.write(bytes);
                    }
                }
            } else {
                for (int i = 0; i < sparse.length; i += 2) {
                    channel.position(sparse[i]);
                    long left = sparse[i + 1];
                    while (left > 0) {
                        int n = content.read(buffer, 0, (int) Math.min(left, buffer.length));
                        if (n < 0) {
                            throw new java.io.EOFException("sparse data ends early");
                        }
                        sha256.update(buffer, 0, n);
                        bytes.clear().limit(n);
                        while (bytes.hasRemaining()) {
                            channel.write(bytes);
                        }
                        left -= n;
                    }
                }
                if (channel.size() < realSize) {
                    channel.write(ByteBuffer.wrap(new byte[1]), realSize - 1);
                }
            }
            applyMeta(path, meta, created, requested);
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
        if (creation().needsChown(meta)) {
            Posix.lchown(path, meta.uid(), meta.gid());
        }
        setTimes(path, meta);
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

    /**
     * Creates a fifo ({@link Posix#S_IFIFO}) or, when running as root, a character or block device; a device that
     * cannot be created (not root) only has its place cleared and stays recorded in the manifest. Returns whether
     * the node was created.
     */
    boolean node(String entry, String rel, int type, Meta meta, int major, int minor) throws IOException {
        Path path = pathFor(entry, rel, false);
        removeExisting(rel, path, false);
        if (!Posix.available() || (type != Posix.S_IFIFO && !ROOT)) {
            return false;
        }
        Posix.mknod(path, type, meta.mode() & 0777, major, minor);
        applyMeta(path, meta);
        return true;
    }

    /**
     * Sets extended attributes on what was just created at {@code rel} (never through a symlink). Attributes the
     * file system or the process may not set ({@code trusted.*} or {@code security.*} when not root, any on a file
     * system without xattrs) are skipped: the manifest keeps them.
     */
    void xattrs(String rel, Map<String, byte[]> xattrs) throws IOException {
        if (xattrs.isEmpty() || !Posix.available()) {
            return;
        }
        Path path = rel.isEmpty() ? root : root.resolve(rel);
        if (lstat(path) == null) {
            return;
        }
        for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
            if (!ROOT && !x.getKey().startsWith("user.")) {
                continue;
            }
            try {
                Posix.lsetxattr(path, x.getKey(), x.getValue());
            } catch (java.nio.file.AccessDeniedException e) {
                // e.g. user.* on a symlink, or a security module refusing: recorded, not applied
            } catch (java.nio.file.FileSystemException e) {
                String reason = String.valueOf(e.getReason());
                if (!reason.contains("not supported") && !reason.contains("Invalid argument")) {
                    throw e;
                }
            }
        }
    }

    private static void applyOwner(Path path, Meta meta) throws IOException {
        if (ROOT && meta.uid() >= 0 && meta.gid() >= 0) {
            Posix.lchown(path, meta.uid(), meta.gid());
        }
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
            if (rel.isEmpty()) {
                applyMeta(root, metas.get(i).getValue()); // made by the caller, not by this tree
            } else {
                // Files.createDirectory asks for 0777, as mkdir(1) does
                applyMeta(root.resolve(rel), metas.get(i).getValue(), creation(), 0777);
            }
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
        deleteOrKeep(rel, path);
        return false;
    }

    /** Deletes a non-directory, or moves it to the shadow folder if the tar record references its content. */
    private void deleteOrKeep(String rel, Path path) throws IOException {
        Long number = contentNumbers.remove(rel);
        if (number == null || shadow == null) {
            Files.delete(path);
            return;
        }
        Files.move(path, shadowFile(number), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        displaced.moved(number);
    }

    private static void applyMeta(Path path, Meta meta) throws IOException {
        applyOwner(path, meta);
        Files.setAttribute(path, "unix:mode", meta.mode() & 07777);
        setTimes(path, meta);
    }

    /**
     * Applies owner, mode and times to a path this tree created asking for {@code requested} permissions, leaving
     * out what creation already gave it. The chown comes first: it clears setuid and setgid, which the chmod then
     * sets (and a mode with them always needs the chmod).
     */
    private static void applyMeta(Path path, Meta meta, Creation created, int requested) throws IOException {
        boolean chown = created.needsChown(meta);
        if (chown) {
            Posix.lchown(path, meta.uid(), meta.gid());
        }
        if (chown || created.needsChmod(meta.mode(), requested)) {
            Files.setAttribute(path, "unix:mode", meta.mode() & 07777);
        }
        setTimes(path, meta);
    }

    private Creation creation() throws IOException {
        if (creation == null) {
            creation = probeCreation(root);
        }
        return creation;
    }

    private static Creation probeCreation(Path dir) throws IOException {
        Path probe = dir.resolve(".cairn-creation-probe");
        try {
            Files.createFile(probe, permissions(0777));
        } catch (UnsupportedOperationException e) {
            return Creation.UNKNOWN;
        }
        try {
            Map<String, Object> a = Files.readAttributes(probe, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
            return new Creation((Integer) a.get("mode") & 0777, (Integer) a.get("uid"), (Integer) a.get("gid"));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return Creation.UNKNOWN;
        } finally {
            Files.delete(probe);
        }
    }

    private static FileAttribute<?> permissions(int bits) {
        return PERMISSIONS[bits & 0777];
    }

    private static FileAttribute<?>[] allPermissions() {
        FileAttribute<?>[] out = new FileAttribute<?>[01000];
        PosixFilePermission[] each = PosixFilePermission.values(); // OWNER_READ (0400) ... OTHERS_EXECUTE (01)
        for (int bits = 0; bits < out.length; bits++) {
            Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
            for (int i = 0; i < each.length; i++) {
                if ((bits & (0400 >> i)) != 0) {
                    set.add(each[i]);
                }
            }
            out[bits] = PosixFilePermissions.asFileAttribute(set);
        }
        return out;
    }

    /** Sets times without following a link or opening the file (a fifo's open would block). */
    private static void setTimes(Path path, Meta meta) throws IOException {
        if (Posix.available()) {
            Posix.lutimes(path, meta.atime(), meta.mtime());
        } else {
            Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(meta.mtime(), meta.atime(), null);
        }
    }

    private static BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Deletes a tree without following links, making directories writable first (they may be read-only). */
    private void deleteTree(Path top, boolean includingTop) throws IOException {
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
                String rel = root.relativize(file).toString();
                if (includingTop && attrs.isRegularFile() && contentNumbers.containsKey(rel)) {
                    deleteOrKeep(rel, file);
                } else {
                    Files.delete(file);
                }
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
