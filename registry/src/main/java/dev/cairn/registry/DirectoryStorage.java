package dev.cairn.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.io.DurableFiles;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.SizeMismatchException;
import dev.cairn.model.UnsupportedImageException;
import dev.cairn.oci.Descriptor;
import dev.cairn.oci.ImageIndex;
import dev.cairn.oci.ImageManifest;
import dev.cairn.oci.LayerMediaType;
import dev.cairn.oci.ManifestDocument;
import dev.cairn.oci.OciDigest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The <b>interim</b> backend of {@code cairn serve}: {@link RegistryStorage} over a plain directory, until the layer
 * store implements the interface itself (blobs as staged layers, manifests as image records in the journal). It keeps
 * every promise of the contract — durable writes, atomic renames, nothing half-visible, uploads that survive restarts,
 * several processes at once — but it extracts nothing, and it journals nothing: its audit trail is a file of JSON
 * lines, {@code audit.log}, fsynced with each change.
 *
 * <h2>On disk</h2>
 * <pre>
 * blobs/&lt;alg&gt;/&lt;encoded&gt;              the content store: every blob and manifest once, written whole and renamed in
 * uploads/&lt;id&gt;/data, state             an upload session: its bytes, and its durable offset, algorithm, repository
 * repositories/&lt;name&gt;/_blobs/&lt;alg&gt;/&lt;encoded&gt;      the repository holds that blob (an empty file)
 * repositories/&lt;name&gt;/_manifests/&lt;alg&gt;/&lt;encoded&gt;  … that manifest; the file holds its media type
 * repositories/&lt;name&gt;/_tags/&lt;tag&gt;                    the tag; the file holds the digest it points at
 * repositories/&lt;name&gt;/_referrers/&lt;alg&gt;/&lt;encoded&gt;/&lt;alg&gt;-&lt;encoded&gt;   a manifest whose subject is that digest
 * tmp/                                  files being written, renamed into place when whole and fsynced
 * meta.lock, audit.log
 * </pre>
 * Repository names, tags, digests and upload ids are checked by their types before they become paths; no name
 * component starts with {@code _}, so the entries above never collide with a nested repository.
 *
 * <h2>Order of durable steps</h2>
 * Content is in {@code blobs/} (fsynced, renamed, directory fsynced) before any repository links it; a link, tag or
 * referrer entry is written under the metadata lock ({@code meta.lock}, a file lock taken for each short step and
 * never while bytes stream) and its directory fsynced before the call returns. An upload's bytes are fsynced before
 * its {@code state} (written to a temporary file and renamed) records the new offset; a tail past that offset, left by
 * a cut request, is cut off by the next append. Deleting only unlinks: content stays in {@code blobs/} (this backend
 * has no garbage collection; the store's is event-driven).
 *
 * <p>Thread-safe; several processes may share one directory (the metadata lock is a file lock, an upload being
 * written holds a file lock on its data, which {@link #reclaimUploads} respects).
 */
public final class DirectoryStorage implements RegistryStorage {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BUFFER = 1 << 20;

    private final Path root;
    private final Path blobs;
    private final Path uploads;
    private final Path repositories;
    private final Path tmp;
    private final FileChannel metaLock;
    private final FileChannel auditLog;
    /**
     * Per directory, for every instance of this JVM: a file lock is held by the whole JVM, and a second lock on the same
     * file from this JVM would throw rather than wait, so the threads of a JVM take turns first.
     */
    private static final Map<Path, ReentrantLock> META_MUTEXES = new ConcurrentHashMap<>();
    private static final Map<Path, Set<UploadId>> BUSY = new ConcurrentHashMap<>();
    private final ReentrantLock metaMutex;
    /** Uploads a thread of this JVM is writing or completing (a FileLock cannot be taken twice in one JVM). */
    private final Set<UploadId> busy;
    /** The running hash of an upload this process appended to, valid while its offset is the durable one. */
    private final Map<UploadId, RunningHash> hashes = new ConcurrentHashMap<>();

    private record RunningHash(String algorithm, long offset, MessageDigest hasher) {
    }

    private DirectoryStorage(Path root) throws IOException {
        this.root = root;
        this.blobs = root.resolve("blobs");
        this.uploads = root.resolve("uploads");
        this.repositories = root.resolve("repositories");
        this.tmp = root.resolve("tmp");
        this.metaMutex = META_MUTEXES.computeIfAbsent(root, r -> new ReentrantLock());
        this.busy = BUSY.computeIfAbsent(root, r -> ConcurrentHashMap.newKeySet());
        for (Path p : List.of(blobs, uploads, repositories, tmp)) {
            DurableFiles.mkdirDurable(p);
        }
        this.metaLock = FileChannel.open(root.resolve("meta.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        this.auditLog = FileChannel.open(root.resolve("audit.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    /**
     * Opens the directory, creating it (0700) and its layout if absent. Temporaries that a crashed writer left in
     * {@code tmp/} are not touched here (another process may be writing them); {@link #reclaimUploads} removes old ones.
     */
    public static DirectoryStorage open(Path root) throws IOException {
        Path abs = root.toAbsolutePath().normalize();
        mkdirs(abs);
        return new DirectoryStorage(abs.toRealPath());
    }

    /** The directory this storage lives in. */
    public Path root() {
        return root;
    }

    // ---- blobs ----

    @Override
    public Optional<BlobInfo> statBlob(RepositoryName repository, OciDigest digest) throws IOException {
        if (!Files.exists(blobLink(repository, digest), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BlobInfo(digest, Files.size(content(digest))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public SeekableByteChannel openBlob(RepositoryName repository, OciDigest digest) throws IOException {
        if (!Files.exists(blobLink(repository, digest), LinkOption.NOFOLLOW_LINKS)) {
            throw new BlobUnknownException(repository, digest);
        }
        try {
            return FileChannel.open(content(digest), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new BlobUnknownException(repository, digest);
        }
    }

    @Override
    public void deleteBlob(RepositoryName repository, OciDigest digest, AuditContext audit) throws IOException {
        withMetaLock(() -> {
            Path link = blobLink(repository, digest);
            if (!Files.deleteIfExists(link)) {
                throw new BlobUnknownException(repository, digest);
            }
            DurableFiles.syncDir(link.getParent());
            return null;
        });
        audit("blob-deleted", repository, digest.toString(), audit);
    }

    @Override
    public Optional<BlobInfo> mountBlob(RepositoryName repository, Optional<RepositoryName> from, OciDigest digest,
                                        AuditContext audit) throws IOException {
        Optional<BlobInfo> mounted = withMetaLock(() -> {
            if (from.isPresent() && !Files.exists(blobLink(from.get(), digest), LinkOption.NOFOLLOW_LINKS)) {
                return Optional.<BlobInfo>empty();
            }
            Path c = content(digest);
            if (!Files.isRegularFile(c, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.<BlobInfo>empty();
            }
            linkEmpty(blobLink(repository, digest));
            return Optional.of(new BlobInfo(digest, Files.size(c)));
        });
        if (mounted.isPresent()) {
            audit("blob-mounted", repository, digest + from.map(f -> " from " + f).orElse(""), audit);
        }
        return mounted;
    }

    // ---- uploads ----

    @Override
    public UploadStatus startUpload(RepositoryName repository, String algorithm, AuditContext audit)
            throws IOException {
        newHasher(algorithm);
        UploadId id = UploadId.random();
        UploadStatus status = new UploadStatus(id, repository, algorithm, 0, Instant.now());
        // Made whole in tmp/ and renamed in: a session is there entirely or not at all.
        Path staging = tmp.resolve("upload-" + id);
        Files.createDirectory(staging);
        Files.createFile(staging.resolve("data"));
        writeFileDurably(staging.resolve("state"), stateBytes(status));
        DurableFiles.syncDir(staging);
        DurableFiles.renameDurable(staging, uploadDir(id));
        audit("upload-started", repository, id.toString(), audit);
        return status;
    }

    @Override
    public UploadStatus uploadStatus(RepositoryName repository, UploadId id) throws IOException {
        return readState(repository, id);
    }

    @Override
    public UploadStatus appendUpload(RepositoryName repository, UploadId id, long offset, InputStream chunk,
                                     long length, AuditContext audit) throws IOException {
        UploadStatus before = readState(repository, id);
        try (UploadLock lock = lockUpload(before)) {
            UploadStatus status = readState(repository, id);
            if (status.offset() != offset) {
                throw new UploadRangeException(status, "a chunk must start at " + status.offset() + ", not at " + offset);
            }
            FileChannel data = lock.data;
            MessageDigest hasher = runningHash(id, status, data);
            hashes.remove(id);
            data.truncate(offset);
            data.position(offset);
            long written = copy(chunk, data, hasher, length, status);
            data.force(false);
            UploadStatus after = new UploadStatus(id, repository, status.algorithm(), offset + written, status.started());
            replaceDurably(uploadDir(id).resolve("state"), stateBytes(after));
            hashes.put(id, new RunningHash(status.algorithm(), after.offset(), hasher));
            return after;
        }
    }

    /** Copies the chunk, hashing it; a short or long chunk is a size mismatch and the durable offset stays. */
    private static long copy(InputStream in, FileChannel out, MessageDigest hasher, long length, UploadStatus status)
            throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        while (length < 0 || total < length) {
            int want = length < 0 ? buf.length : (int) Math.min(buf.length, length - total);
            int n = in.read(buf, 0, want);
            if (n < 0) {
                break;
            }
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
            hasher.update(buf, 0, n);
            total += n;
        }
        String what = "chunk at " + status.offset() + " of upload " + status.id();
        if (length >= 0 && total < length) {
            throw new SizeMismatchException(what, length, total);
        }
        if (length >= 0 && in.read() >= 0) {
            throw new SizeMismatchException(what, length, length + 1);
        }
        return total;
    }

    @Override
    public BlobInfo completeUpload(RepositoryName repository, UploadId id, OciDigest digest, AuditContext audit)
            throws IOException {
        UploadStatus before = readState(repository, id);
        BlobInfo blob;
        try (UploadLock lock = lockUpload(before)) {
            UploadStatus status = readState(repository, id);
            OciDigest actual = digestOf(id, status, digest.algorithm(), lock.data);
            if (!actual.equals(digest)) {
                discard(id);
                audit("upload-discarded", repository, id + " (digest mismatch)", audit);
                throw new DigestMismatchException("upload " + id, digest.toString(), actual.toString());
            }
            // The bytes are durable already: every append ended with an fdatasync.
            Path target = content(digest);
            mkdirs(target.getParent());
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(uploadDir(id).resolve("data"));
            } else {
                // Only the new name must be durable: the upload's folder is discarded next.
                Files.move(uploadDir(id).resolve("data"), target, StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.syncDir(target.getParent());
            }
            blob = new BlobInfo(digest, status.offset());
            withMetaLock(() -> {
                linkEmpty(blobLink(repository, digest));
                return null;
            });
            discard(id);
        }
        audit("blob-pushed", repository, digest + " (" + blob.size() + " bytes, upload " + id + ")", audit);
        return blob;
    }

    @Override
    public void cancelUpload(RepositoryName repository, UploadId id, AuditContext audit) throws IOException {
        UploadStatus status = readState(repository, id);
        UploadLock lock = lockUpload(status);
        try {
            discard(id);
        } finally {
            lock.close();
        }
        audit("upload-cancelled", repository, id.toString(), audit);
    }

    @Override
    public int openUploads() throws IOException {
        return DurableFiles.list(uploads).size();
    }

    @Override
    public List<UploadId> reclaimUploads(Instant idleSince, AuditContext audit) throws IOException {
        List<UploadId> reclaimed = new ArrayList<>();
        for (String name : DurableFiles.list(uploads)) {
            if (!UploadId.isValid(name)) {
                continue;
            }
            UploadId id = new UploadId(name);
            Path dir = uploadDir(id);
            Path state = dir.resolve("state");
            Instant touched;
            try {
                touched = Files.getLastModifiedTime(Files.exists(state) ? state : dir).toInstant();
            } catch (NoSuchFileException e) {
                continue;
            }
            if (!touched.isBefore(idleSince) || !busy.add(id)) {
                continue;
            }
            try (FileChannel data = FileChannel.open(dir.resolve("data"), StandardOpenOption.WRITE);
                 FileLock l = data.tryLock()) {
                if (l == null) {
                    continue; // another process is writing it
                }
                discard(id);
                reclaimed.add(id);
            } catch (OverlappingFileLockException e) {
                continue; // this JVM holds it (another instance): being written
            } catch (NoSuchFileException e) {
                discard(id); // completed or cancelled half-way by a process that died: nothing to keep
                reclaimed.add(id);
            } finally {
                busy.remove(id);
            }
        }
        for (String name : DurableFiles.list(tmp)) {
            Path p = tmp.resolve(name);
            try {
                if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(idleSince)) {
                    DurableFiles.removeTree(p);
                }
            } catch (NoSuchFileException e) {
                // gone meanwhile
            }
        }
        for (UploadId id : reclaimed) {
            audit("upload-reclaimed", null, id.toString(), audit);
        }
        return reclaimed;
    }

    // ---- manifests ----

    @Override
    public void putManifest(RepositoryName repository, OciDigest digest, ManifestDocument document, List<Tag> tags,
                            AuditContext audit) throws IOException {
        Path c = content(digest);
        if (!Files.isRegularFile(c, LinkOption.NOFOLLOW_LINKS)) {
            mkdirs(c.getParent());
            Path t = Files.createTempFile(tmp, "manifest-", ".tmp");
            writeFileDurably(t, document.bytes());
            DurableFiles.renameDurable(t, c);
        }
        withMetaLock(() -> {
            List<OciDigest> missing = new ArrayList<>();
            if (document instanceof ImageManifest m) {
                List<Descriptor> named = new ArrayList<>();
                named.add(m.config());
                named.addAll(m.layers());
                for (Descriptor d : named) {
                    if (fetchedElsewhere(d)) {
                        continue;
                    }
                    if (!Files.exists(blobLink(repository, d.digest()), LinkOption.NOFOLLOW_LINKS)) {
                        missing.add(d.digest());
                    }
                }
            } else if (document instanceof ImageIndex index) {
                for (Descriptor d : index.manifests()) {
                    if (!Files.exists(manifestLink(repository, d.digest()), LinkOption.NOFOLLOW_LINKS)) {
                        missing.add(d.digest());
                    }
                }
            }
            if (!missing.isEmpty()) {
                throw new ManifestBlobUnknownException(repository, missing);
            }
            link(manifestLink(repository, digest), document.mediaType().getBytes(StandardCharsets.UTF_8));
            for (Tag tag : tags) {
                Path t = tagFile(repository, tag);
                mkdirs(t.getParent());
                Path temp = Files.createTempFile(tmp, "tag-", ".tmp");
                writeFileDurably(temp, digest.toString().getBytes(StandardCharsets.UTF_8));
                DurableFiles.renameDurable(temp, t);
            }
            Optional<Descriptor> subject = document.subject();
            if (subject.isPresent()) {
                linkEmpty(referrerLink(repository, subject.get().digest(), digest));
            }
            return null;
        });
        audit("manifest-pushed", repository, digest + " (" + document.mediaType() + ")"
                + (tags.isEmpty() ? "" : " as " + String.join(", ", tags.stream().map(Tag::value).toList())), audit);
    }

    /** A layer a manifest names but that clients fetch from its URLs, never from this registry. */
    private static boolean fetchedElsewhere(Descriptor d) {
        return LayerMediaType.of(d.mediaType()).map(t -> !t.distributable()).orElse(false);
    }

    @Override
    public Optional<OciDigest> resolveTag(RepositoryName repository, Tag tag) throws IOException {
        try {
            String text = Files.readString(tagFile(repository, tag), StandardCharsets.UTF_8).trim();
            return Optional.of(OciDigest.parse(text));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<StoredManifest> getManifest(RepositoryName repository, OciDigest digest) throws IOException {
        try {
            String mediaType = Files.readString(manifestLink(repository, digest), StandardCharsets.UTF_8);
            return Optional.of(new StoredManifest(digest, mediaType, Files.readAllBytes(content(digest))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void deleteManifest(RepositoryName repository, OciDigest digest, AuditContext audit) throws IOException {
        withMetaLock(() -> {
            Optional<StoredManifest> m = getManifest(repository, digest);
            if (m.isEmpty()) {
                throw new ManifestUnknownException(repository, digest.toString());
            }
            Path tagDir = repoDir(repository).resolve("_tags");
            for (String name : DurableFiles.list(tagDir)) {
                if (Tag.isValid(name) && resolveTag(repository, new Tag(name)).filter(digest::equals).isPresent()) {
                    Files.deleteIfExists(tagDir.resolve(name));
                }
            }
            DurableFiles.syncDir(tagDir.getParent());
            subjectOf(m.get()).ifPresent(subject -> {
                try {
                    Files.deleteIfExists(referrerLink(repository, subject, digest));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Path link = manifestLink(repository, digest);
            Files.delete(link);
            DurableFiles.syncDir(link.getParent());
            if (Files.isDirectory(tagDir)) {
                DurableFiles.syncDir(tagDir);
            }
            return null;
        });
        audit("manifest-deleted", repository, digest.toString(), audit);
    }

    private static Optional<OciDigest> subjectOf(StoredManifest m) {
        try {
            return ManifestDocument.parse(m.bytes(), m.mediaType()).subject().map(Descriptor::digest);
        } catch (IOException e) {
            return Optional.empty(); // it was parsed when pushed; a type no longer read has no referrer entry to drop
        }
    }

    @Override
    public void deleteTag(RepositoryName repository, Tag tag, AuditContext audit) throws IOException {
        withMetaLock(() -> {
            Path t = tagFile(repository, tag);
            if (!Files.deleteIfExists(t)) {
                throw new ManifestUnknownException(repository, tag.value());
            }
            DurableFiles.syncDir(t.getParent());
            return null;
        });
        audit("tag-deleted", repository, tag.value(), audit);
    }

    @Override
    public List<Tag> listTags(RepositoryName repository, Optional<String> after, int limit) throws IOException {
        if (!Files.isDirectory(repoDir(repository), LinkOption.NOFOLLOW_LINKS)) {
            throw new RepositoryUnknownException(repository);
        }
        List<Tag> tags = new ArrayList<>();
        for (String name : DurableFiles.list(repoDir(repository).resolve("_tags"))) {
            if (tags.size() >= limit) {
                break;
            }
            if (Tag.isValid(name) && (after.isEmpty() || name.compareTo(after.get()) > 0)) {
                tags.add(new Tag(name));
            }
        }
        return tags;
    }

    @Override
    public List<Descriptor> referrers(RepositoryName repository, OciDigest subject) throws IOException {
        Path dir = repoDir(repository).resolve("_referrers").resolve(subject.algorithm()).resolve(subject.encoded());
        List<Descriptor> found = new ArrayList<>();
        for (String name : DurableFiles.list(dir)) {
            int dash = name.indexOf('-');
            if (dash < 0) {
                continue;
            }
            OciDigest d;
            try {
                d = new OciDigest(name.substring(0, dash), name.substring(dash + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            Optional<StoredManifest> m = getManifest(repository, d);
            if (m.isPresent()) {
                found.add(RegistryStorage.referrerDescriptor(d,
                        ManifestDocument.parse(m.get().bytes(), m.get().mediaType())));
            }
        }
        found.sort((a, b) -> a.digest().toString().compareTo(b.digest().toString()));
        return found;
    }

    @Override
    public void recordRead(RepositoryName repository, String what, AuditContext audit) throws IOException {
        audit("pulled", repository, what, audit);
    }

    @Override
    public void close() throws IOException {
        try (metaLock; auditLog) {
            hashes.clear();
        }
    }

    // ---- audit ----

    /** Appends one JSON line to {@code audit.log} and fsyncs it; lines of concurrent writers never interleave. */
    private void audit(String action, RepositoryName repository, String target, AuditContext audit)
            throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("time", Instant.now().toString());
        n.put("action", action);
        if (repository != null) {
            n.put("repository", repository.value());
        }
        n.put("target", target);
        n.put("principal", audit.principal());
        n.put("client", audit.clientAddress());
        n.put("requestId", audit.requestId());
        n.put("pid", ProcessHandle.current().pid());
        byte[] line = (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (auditLog) {
            ByteBuffer bb = ByteBuffer.wrap(line);
            while (bb.hasRemaining()) {
                auditLog.write(bb);
            }
            auditLog.force(false);
        }
    }

    // ---- uploads: state, locks, hashing ----

    private Path uploadDir(UploadId id) {
        return uploads.resolve(id.value());
    }

    private static byte[] stateBytes(UploadStatus s) {
        return ("repository=" + s.repository().value() + "\nalgorithm=" + s.algorithm() + "\noffset=" + s.offset()
                + "\nstarted=" + s.started() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The session's durable state, if it is open and belongs to {@code repository}. */
    private UploadStatus readState(RepositoryName repository, UploadId id) throws IOException {
        Path dir = uploadDir(id);
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("state"), LinkOption.NOFOLLOW_LINKS)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new UploadUnknownException(repository, id);
        }
        if (!repository.value().equals(p.getProperty("repository"))
                || !Files.isRegularFile(dir.resolve("data"), LinkOption.NOFOLLOW_LINKS)) {
            throw new UploadUnknownException(repository, id);
        }
        try {
            return new UploadStatus(id, repository, p.getProperty("algorithm"), Long.parseLong(p.getProperty("offset")),
                    Instant.parse(p.getProperty("started")));
        } catch (RuntimeException e) {
            throw new IOException("upload state " + dir.resolve("state") + " is damaged: " + e.getMessage(), e);
        }
    }

    /** Exclusive right to write one upload, within this process and against other processes. */
    private final class UploadLock implements AutoCloseable {
        final UploadId id;
        final FileChannel data;
        final FileLock lock;

        UploadLock(UploadId id, FileChannel data, FileLock lock) {
            this.id = id;
            this.data = data;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            try (data) {
                if (lock.isValid()) {
                    lock.release();
                }
            } finally {
                busy.remove(id);
            }
        }
    }

    private UploadLock lockUpload(UploadStatus status) throws IOException {
        UploadId id = status.id();
        if (!busy.add(id)) {
            throw new UploadRangeException(status, "another request is writing to it");
        }
        FileChannel data = null;
        try {
            data = FileChannel.open(uploadDir(id).resolve("data"), StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            try {
                lock = data.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new UploadRangeException(status, "another process is writing to it");
            }
            return new UploadLock(id, data, lock);
        } catch (NoSuchFileException e) {
            closeQuietly(data);
            busy.remove(id);
            throw new UploadUnknownException(status.repository(), id);
        } catch (IOException | RuntimeException e) {
            closeQuietly(data);
            busy.remove(id);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // the original failure is the one to report
            }
        }
    }

    /** The hash of the session's first {@code offset} bytes: kept from the last append, else read again. */
    private MessageDigest runningHash(UploadId id, UploadStatus status, FileChannel data) throws IOException {
        RunningHash h = hashes.get(id);
        if (h != null && h.offset() == status.offset() && h.algorithm().equals(status.algorithm())) {
            return h.hasher();
        }
        return hashFile(data, status.offset(), status.algorithm());
    }

    private OciDigest digestOf(UploadId id, UploadStatus status, String algorithm, FileChannel data)
            throws IOException {
        MessageDigest hasher;
        RunningHash h = hashes.get(id);
        if (h != null && h.offset() == status.offset() && h.algorithm().equals(algorithm)) {
            try {
                hasher = (MessageDigest) h.hasher().clone();
            } catch (CloneNotSupportedException e) {
                hasher = hashFile(data, status.offset(), algorithm);
            }
        } else {
            hasher = hashFile(data, status.offset(), algorithm);
        }
        return new OciDigest(algorithm, HexFormat.of().formatHex(hasher.digest()));
    }

    private static MessageDigest hashFile(FileChannel data, long length, String algorithm) throws IOException {
        MessageDigest hasher = newHasher(algorithm);
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        long pos = 0;
        while (pos < length) {
            buf.clear().limit((int) Math.min(BUFFER, length - pos));
            int n = data.read(buf, pos);
            if (n < 0) {
                throw new IOException("upload data is shorter than its recorded offset " + length + " at " + pos);
            }
            buf.flip();
            hasher.update(buf);
            pos += n;
        }
        return hasher;
    }

    private static MessageDigest newHasher(String algorithm) throws UnsupportedImageException {
        OciDigest probe = new OciDigest(algorithm, OciDigest.SHA512.equals(algorithm) ? "0".repeat(128) : "0".repeat(64));
        return probe.newHasher("upload");
    }

    /**
     * Removes an upload's folder and whatever running hash this process kept of it. Not fsynced: a folder that comes
     * back after a crash has no data (completed) or is one more idle upload (cancelled), and is reclaimed either way.
     */
    private void discard(UploadId id) throws IOException {
        hashes.remove(id);
        Path dir = uploadDir(id);
        for (String name : DurableFiles.list(dir)) {
            Files.deleteIfExists(dir.resolve(name));
        }
        Files.deleteIfExists(dir);
    }

    // ---- metadata ----

    private interface MetaStep<T> {
        T run() throws IOException;
    }

    /** Runs a short metadata step under the metadata lock: this process's threads, and other processes. */
    private <T> T withMetaLock(MetaStep<T> step) throws IOException {
        metaMutex.lock();
        try {
            FileLock lock = metaLock.lock();
            try {
                return step.run();
            } finally {
                lock.release();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            metaMutex.unlock();
        }
    }

    private Path content(OciDigest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.encoded());
    }

    private Path repoDir(RepositoryName repository) {
        return repositories.resolve(repository.value());
    }

    private Path blobLink(RepositoryName repository, OciDigest digest) {
        return repoDir(repository).resolve("_blobs").resolve(digest.algorithm()).resolve(digest.encoded());
    }

    private Path manifestLink(RepositoryName repository, OciDigest digest) {
        return repoDir(repository).resolve("_manifests").resolve(digest.algorithm()).resolve(digest.encoded());
    }

    private Path tagFile(RepositoryName repository, Tag tag) {
        return repoDir(repository).resolve("_tags").resolve(tag.value());
    }

    private Path referrerLink(RepositoryName repository, OciDigest subject, OciDigest referrer) {
        return repoDir(repository).resolve("_referrers").resolve(subject.algorithm()).resolve(subject.encoded())
                .resolve(referrer.algorithm() + "-" + referrer.encoded());
    }

    /** Writes a link file durably (its folders made as needed), replacing one that is there. */
    private void link(Path link, byte[] body) throws IOException {
        mkdirs(link.getParent());
        Path temp = Files.createTempFile(tmp, "link-", ".tmp");
        writeFileDurably(temp, body);
        DurableFiles.renameDurable(temp, link);
    }

    /** Creates an empty link file (its folders made as needed) if absent, durably: one fsync of its folder. */
    private static void linkEmpty(Path link) throws IOException {
        mkdirs(link.getParent());
        try {
            Files.createFile(link);
        } catch (FileAlreadyExistsException e) {
            return;
        }
        DurableFiles.syncDir(link.getParent());
    }

    /** Creates a folder and its missing parents, each made durable in its parent. */
    private static void mkdirs(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            mkdirs(parent);
        }
        try {
            DurableFiles.mkdirDurable(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
        }
    }

    /** Replaces a file atomically: the bytes go to a sibling temporary file, fsynced, renamed over it. */
    private static void replaceDurably(Path file, byte[] bytes) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        writeFileDurably(temp, bytes);
        DurableFiles.renameDurable(temp, file);
    }

    /** Writes a whole file (replacing it) and fsyncs it; the caller renames it into place. */
    private static void writeFileDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer bb = ByteBuffer.wrap(bytes);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            ch.force(true);
        }
    }
}
