package dev.cairn.archive;

import dev.cairn.io.Posix;
import dev.cairn.model.CheckoutOptions;
import dev.cairn.model.CheckoutResult;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Materializes a chain of layers, merged, into a directory: the root file system a container would see, the tree
 * that {@code umoci unpack} or podman give for the same image.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>The tree is the {@link MergedTree} of the chain's manifests: whiteouts and opaque directories applied, no
 *     whiteout file made, file/directory replacement across layers, hardlinks kept within the checkout.</li>
 * <li>The target is an empty directory or does not exist (its parent does); a file, a symlink or a non-empty
 *     directory there is refused before anything is written. On any failure everything made is removed again (and
 *     the target, if this call created it) before the exception is thrown.</li>
 * <li>Metadata comes from the manifests: modes with setuid, setgid and sticky; modification times (atime is set
 *     to the same) of files, symlinks, fifos, devices and of directories, these after their contents; xattrs;
 *     owners (uid/gid) and device nodes only as root. As non-root every path belongs to the caller, xattrs outside
 *     the {@code user.} namespace are not applied (the kernel would refuse them), fifos are made, and device nodes
 *     are not made: their paths are listed in {@link CheckoutResult#notCreated()}. A layer root entry
 *     ({@code ./}) gives the target its mode, times and owner.</li>
 * <li>Regular files are cloned, copied or hardlinked from the layer folders as {@link CheckoutOptions} says.</li>
 * <li>Nothing is written outside the target: every path is checked (relative, no {@code ..}), every entry is
 *     created new ({@code O_EXCL}) in a directory this checkout has just made itself, never through a symlink or
 *     file an earlier entry made. This relies on no other process changing the target meanwhile.</li>
 * <li>Nothing is fsynced: a checkout is a working copy, made again if a crash loses it.</li>
 * <li>{@link CheckoutOptions#progress()} is told after each entry; an exception it throws ends the checkout like
 *     any other failure (everything made is removed).</li>
 * </ul>
 * Thread-safe: calls share no state.
 */
public final class LayerCheckout {

    private LayerCheckout() {
    }

    /**
     * Checks out {@code chain} (bottom layer first) into {@code target}.
     *
     * @throws FileAlreadyExistsException if {@code target} is a file, a symlink or a directory that is not empty
     * @throws NoSuchFileException        if the target's parent does not exist
     * @throws CorruptManifestException   if a manifest is damaged
     * @throws dev.cairn.model.UnsafeArchiveException if a manifest holds an unclean path or a path below a
     *                                    non-directory
     */
    public static CheckoutResult checkout(List<ChainLayer> chain, Path target, CheckoutOptions options)
            throws IOException {
        MergedTree tree = MergedTree.of(chain);
        Path root = target.toAbsolutePath().normalize();
        boolean created = prepare(root);
        try {
            return new Run(root, options).materialize(tree);
        } catch (Throwable e) {
            try {
                removeContents(root, created);
            } catch (IOException | RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    /** Checks the target, creating it if absent; true if this call created it. */
    private static boolean prepare(Path root) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            Files.createDirectory(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
            return true;
        }
        if (a.isSymbolicLink()) {
            throw new FileAlreadyExistsException(root.toString(), null,
                    "the checkout target is a symlink, not an empty directory");
        }
        if (!a.isDirectory()) {
            throw new FileAlreadyExistsException(root.toString(), null,
                    "the checkout target is a file, not an empty directory");
        }
        try (var children = Files.list(root)) {
            if (children.findAny().isPresent()) {
                throw new FileAlreadyExistsException(root.toString(), null,
                        "the checkout target is a directory that is not empty");
            }
        }
        return false;
    }

    /** Removes everything under {@code root} without following links, and {@code root} too if {@code self}. */
    private static void removeContents(Path root, boolean self) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.setAttribute(dir, "unix:mode", 0700);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                if (self || !dir.equals(root)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** One checkout's pass over the merged tree. */
    private static final class Run {
        private final Path root;
        private final CheckoutOptions options;
        private final boolean asRoot = Posix.isRoot();
        private final Set<String> madeDirectories = new HashSet<>();
        private final List<String> directories = new ArrayList<>();
        private final List<String> notCreated = new ArrayList<>();
        private Object targetDevice;
        private boolean cloneWorks = true;
        private long entries;
        private long fileBytes;
        private long reflinked;
        private long copied;
        private long storeLinked;

        Run(Path root, CheckoutOptions options) {
            this.root = root;
            this.options = options;
            madeDirectories.add("");
        }

        CheckoutResult materialize(MergedTree tree) throws IOException {
            targetDevice = Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            Manifest.Entry rootEntry = null;
            Map<String, MergedTree.Node> nodes = tree.nodes();
            long total = nodes.containsKey("") ? nodes.size() - 1 : nodes.size();
            for (Map.Entry<String, MergedTree.Node> kv : nodes.entrySet()) {
                String key = kv.getKey();
                if (key.isEmpty()) {
                    rootEntry = kv.getValue().entry();
                    continue;
                }
                make(key, kv.getValue());
                entries++;
                options.progress().progress(entries, total);
            }
            for (int i = directories.size() - 1; i >= 0; i--) {
                String key = directories.get(i);
                finishMetadata(pathOf(key), nodes.get(key).entry(), false);
            }
            if (rootEntry != null) {
                owner(root, rootEntry);
                xattrs(root, rootEntry);
                finishMetadata(root, rootEntry, false);
            }
            return new CheckoutResult(entries, fileBytes, reflinked, copied, storeLinked, notCreated, asRoot);
        }

        private void make(String key, MergedTree.Node node) throws IOException {
            Path path = pathOf(key);
            Manifest.Entry e = node.entry();
            switch (e.type()) {
                case DIRECTORY -> {
                    Files.createDirectory(path);
                    madeDirectories.add(key);
                    directories.add(key);
                    owner(path, e);
                    xattrs(path, e);
                }
                case FILE -> file(path, node.inode());
                case SYMLINK -> {
                    Files.createSymbolicLink(path, Path.of(e.linkTarget()));
                    owner(path, e);
                    xattrs(path, e);
                    times(path, e);
                }
                case FIFO -> {
                    Posix.mknod(path, Posix.S_IFIFO, 0600, 0, 0);
                    special(path, e);
                }
                case CHAR_DEVICE, BLOCK_DEVICE -> {
                    if (!asRoot) {
                        notCreated.add("/" + key);
                        return;
                    }
                    Posix.mknod(path, e.type() == Manifest.EntryType.CHAR_DEVICE ? Posix.S_IFCHR : Posix.S_IFBLK,
                            0600, e.devMajor(), e.devMinor());
                    special(path, e);
                }
                default -> throw new IllegalStateException("a " + e.type() + " in the merged tree: " + key);
            }
        }

        private void special(Path path, Manifest.Entry e) throws IOException {
            owner(path, e);
            xattrs(path, e);
            finishMetadata(path, e, false);
        }

        private void file(Path path, MergedTree.Inode inode) throws IOException {
            if (inode.materialized != null) {
                Files.createLink(path, inode.materialized);
                return;
            }
            Manifest.Entry e = inode.entry;
            Map<String, Object> source;
            try {
                source = Files.readAttributes(inode.source, "unix:size,mode,dev", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException missing) {
                throw new FileSystemException(inode.source.toString(), null, "the layer's file is missing, though its"
                        + " manifest lists it; run verify --deep");
            }
            int sourceType = (Integer) source.get("mode") & 0170000;
            if (sourceType != 0100000 || (Long) source.get("size") != e.size()) {
                throw new FileSystemException(inode.source.toString(), null, "the layer's file does not match its"
                        + " manifest (a regular file of " + e.size() + " bytes expected); run verify --deep");
            }
            boolean sameDevice = source.get("dev").equals(targetDevice);
            CheckoutOptions.FileSource how = options.files();
            if (how == CheckoutOptions.FileSource.HARDLINK_UNSAFE && sameDevice) {
                Files.createLink(path, inode.source);
                storeLinked++;
            } else if (how != CheckoutOptions.FileSource.COPY && cloneWorks
                    && Posix.cloneFile(inode.source, path, 0600)) {
                reflinked++;
            } else {
                if (how != CheckoutOptions.FileSource.COPY) {
                    cloneWorks = false;
                }
                copy(inode.source, path);
                copied++;
            }
            fileBytes += e.size();
            owner(path, e);
            xattrs(path, e);
            finishMetadata(path, e, false);
            inode.materialized = path;
        }

        private static void copy(Path source, Path target) throws IOException {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                 FileChannel out = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW,
                         StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                         PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                long size = in.size();
                long done = 0;
                while (done < size) {
                    long n = in.transferTo(done, size - done, out);
                    if (n <= 0) {
                        throw new IOException(source + ": the file shrank while being copied");
                    }
                    done += n;
                }
            }
        }

        /** The path of a key, checked to be inside the target and below a directory this checkout made. */
        private Path pathOf(String key) throws IOException {
            MergedTree.key(root, key);
            Path path = root.resolve(key).normalize();
            if (!path.startsWith(root) || path.equals(root)) {
                throw new FileSystemException(path.toString(), null, "outside the checkout target " + root);
            }
            if (!madeDirectories.contains(MergedTree.parentOf(key))) {
                throw new FileSystemException(path.toString(), null,
                        "its parent is not a directory made by this checkout");
            }
            return path;
        }

        private void owner(Path path, Manifest.Entry e) throws IOException {
            if (asRoot) {
                Posix.lchown(path, e.uid(), e.gid());
            }
        }

        private void xattrs(Path path, Manifest.Entry e) throws IOException {
            for (Map.Entry<String, String> x : e.xattrs().entrySet()) {
                if (asRoot || x.getKey().startsWith("user.")) {
                    Posix.lsetxattr(path, x.getKey(), x.getValue().getBytes(StandardCharsets.UTF_8));
                }
            }
        }

        /** Mode (after the owner, which clears setuid) and times; never on a symlink, whose mode means nothing. */
        private static void finishMetadata(Path path, Manifest.Entry e, boolean symlink) throws IOException {
            if (!symlink) {
                // chmod(2) by path: the path is what this checkout just made, never a symlink, and the JDK's
                // no-follow variant would open it (blocking on a fifo).
                Files.setAttribute(path, "unix:mode", e.mode() & 07777);
            }
            times(path, e);
        }

        private static void times(Path path, Manifest.Entry e) throws IOException {
            Posix.lutimes(path, java.nio.file.attribute.FileTime.from(e.mtime()),
                    java.nio.file.attribute.FileTime.from(e.mtime()));
        }
    }
}
