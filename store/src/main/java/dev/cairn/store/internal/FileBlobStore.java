package dev.cairn.store.internal;

import dev.cairn.io.DurableFiles;
import dev.cairn.model.BlobNotFoundException;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Digest;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.SizeMismatchException;
import dev.cairn.model.internal.RandomHex;
import dev.cairn.oci.OciDigest;
import dev.cairn.oci.VerifiedBlobStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * The {@link BlobStore} on the store's own file system:
 *
 * <pre>
 * &lt;root&gt;/blobs/sha256/&lt;hex&gt;        a blob, 0600, its name its digest; only ever whole
 * &lt;root&gt;/blobs/tmp/&lt;lock&gt;-&lt;rand&gt;   a blob being written by the saga owning lock &lt;lock&gt;
 * </pre>
 *
 * A put writes the temporary, verifying digest and size as the bytes pass, fsyncs it, renames it into place and
 * fsyncs the directory; an adopt renames a file of the same file system in (and fsyncs the directories). Nothing
 * follows a symlink: an entry that is not a regular file is not a blob. The folders are made on the first write, so
 * stores made before blobs existed need nothing at open. Thread-safe (every step is one system call on its own
 * names).
 */
public final class FileBlobStore implements BlobStore {

    private static final int BUFFER = 1 << 20;

    private final Path dir;
    private final Path blobs;
    private final Path temporaries;

    /** The blob store in {@code dir} ({@code <root>/blobs}). */
    public FileBlobStore(Path dir) {
        this.dir = dir;
        this.blobs = dir.resolve(Digest.SHA256);
        this.temporaries = dir.resolve("tmp");
    }

    /** Where blob {@code digest} is, or would be. */
    public Path path(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    /** Makes the folders, durably, unless they are there. */
    public void makeFolders() throws IOException {
        for (Path p : List.of(dir, blobs, temporaries)) {
            try {
                DurableFiles.mkdirDurable(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
            }
        }
    }

    @Override
    public Optional<BlobRef> stat(Digest digest) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(path(digest), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? Optional.of(new BlobRef(digest, a.size())) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public SeekableByteChannel open(Digest digest) throws IOException {
        try {
            return FileChannel.open(path(digest), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(digest.toString(), "not in the store's blobs (" + blobs + ")");
        }
    }

    @Override
    public void put(BlobRef blob, InputStream in, String owner) throws IOException {
        if (present(blob)) {
            return;
        }
        Path temp = receive(blob, in, owner);
        try {
            moveIn(temp, blob);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Path receive(BlobRef blob, InputStream in, String owner) throws IOException {
        makeFolders();
        Path temp = newTemporary(owner);
        boolean done = false;
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = Channels.newOutputStream(ch)) {
            VerifiedBlobStream verified = new VerifiedBlobStream(in, OciDigest.of(blob.digest()), blob.size(),
                    "blob " + blob.digest());
            byte[] buf = new byte[(int) Math.min(BUFFER, Math.max(8192, blob.size()))];
            for (int n = verified.read(buf); n >= 0; n = verified.read(buf)) {
                out.write(buf, 0, n);
            }
            verified.verifyToEnd();
            out.flush();
            ch.force(true);
            done = true;
            return temp;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    @Override
    public void adopt(BlobRef blob, Path file) throws IOException {
        long size = Files.size(file);
        if (size != blob.size()) {
            throw new SizeMismatchException("blob " + blob.digest() + " from " + file, blob.size(), size);
        }
        if (present(blob)) {
            DurableFiles.removeTree(file);
            return;
        }
        makeFolders();
        moveIn(file, blob);
    }

    /** Renames a whole, durable file into place and makes its name durable. */
    private void moveIn(Path file, BlobRef blob) throws IOException {
        Path target = path(blob.digest());
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.syncDir(blobs);
        if (!file.getParent().equals(blobs)) {
            DurableFiles.syncDir(file.getParent());
        }
    }

    /**
     * Whether the blob is there, whole: a file of its size. A file of another size under its name (damage: blobs are
     * only ever renamed in whole) is replaced, not trusted.
     */
    private boolean present(BlobRef blob) throws IOException {
        return stat(blob.digest()).map(b -> b.size() == blob.size()).orElse(false);
    }

    private Path newTemporary(String owner) {
        if (!SagaOwner.isLockName(owner)) {
            throw new IllegalArgumentException("not a lock name: " + owner);
        }
        return temporaries.resolve(owner + "-" + RandomHex.of(8));
    }

    @Override
    public void remove(Digest digest) throws IOException {
        Files.deleteIfExists(path(digest));
    }

    @Override
    public void sync() throws IOException {
        if (Files.isDirectory(blobs, LinkOption.NOFOLLOW_LINKS)) {
            DurableFiles.syncDir(blobs);
        }
    }

    @Override
    public List<String> list() throws IOException {
        return DurableFiles.list(blobs);
    }

    @Override
    public List<String> temporaries() throws IOException {
        return DurableFiles.list(temporaries);
    }

    @Override
    public void removeTemporary(String name) throws IOException {
        Path p = temporaries.resolve(name).normalize();
        if (!p.getParent().equals(temporaries)) {
            throw new IOException("refusing to remove " + p + ": not a temporary in " + temporaries);
        }
        DurableFiles.removeTree(p);
    }

    @Override
    public String toString() {
        return "blobs in " + dir;
    }
}
