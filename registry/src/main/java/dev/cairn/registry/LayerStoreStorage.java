package dev.cairn.registry;

import dev.cairn.model.CairnException;
import dev.cairn.model.CorruptArchiveException;
import dev.cairn.model.Digest;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.ImageId;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.InvalidImageException;
import dev.cairn.model.LayerNames;
import dev.cairn.model.OpenUpload;
import dev.cairn.model.RepositoryBlob;
import dev.cairn.model.RepositoryManifest;
import dev.cairn.model.SizeMismatchException;
import dev.cairn.model.UnsafeArchiveException;
import dev.cairn.model.UnsupportedImageException;
import dev.cairn.oci.Descriptor;
import dev.cairn.oci.Image;
import dev.cairn.oci.ImageConfig;
import dev.cairn.oci.ImageIndex;
import dev.cairn.oci.ImageManifest;
import dev.cairn.oci.LayerMediaType;
import dev.cairn.oci.ManifestDocument;
import dev.cairn.oci.MediaTypes;
import dev.cairn.oci.OciDigest;
import dev.cairn.store.ImageSpec;
import dev.cairn.store.LayerStore;
import dev.cairn.store.OwnedStaging;
import dev.cairn.store.Repositories;
import dev.cairn.store.Repositories.UploadSession;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link RegistryStorage} on a {@link LayerStore}: what {@code cairn serve} runs on. Every change is an event in the
 * store's journal with the request's {@link AuditContext} as its caller (made through
 * {@code store.as(audit.caller())}, {@link AuditContext#caller()}), so
 * {@code cairn log --actor alice} shows what alice pushed; repositories are names over the store's one content area.
 *
 * <ul>
 *   <li><b>Blobs</b> are kept in {@code <root>/blobs/sha256/} (a sha512 push under the sha256 of the same bytes), linked
 *       to repositories by {@code BlobLinked} events only once durable and verified; a mount is one more link.</li>
 *   <li><b>Uploads</b> are sessions of the store ({@code UploadStarted}), their bytes in
 *       {@code <root>/uploads/<id>/data}, fdatasynced before the durable offset in {@code state} is replaced; a chunk
 *       cut part way leaves the offset it found (the next append cuts the tail off). An upload being written holds a
 *       file lock on its data, so no other request or process writes or reclaims it. Completing renames the data into
 *       the content area and journals the link in one hold of the store's writers' lock.</li>
 *   <li><b>Manifests</b>: the exact bytes in the content area, {@code ManifestPut} with their tags and subject. An image
 *       manifest whose config is an image config and whose layers the store can apply becomes an image record first
 *       (the store's image import over the pushed blobs: layers staged, applied under containers/image's ids, the
 *       image named {@code <repository>:<tag>} for each tag); indexes and artifacts stay blobs and records. A layer
 *       is extracted while its upload streams in ({@link StreamedStagings}), so the manifest only applies it; one
 *       without such a staging is extracted then, from its blob (docs/REGISTRY.md).</li>
 *   <li><b>Deletes</b> are {@code BlobUnlinked}, {@code ManifestDeleted}, {@code TagDeleted}; bytes nothing holds any
 *       more are removed. Deleting the last manifest of an image deletes the image record (its layers stay).</li>
 * </ul>
 * Thread-safe, and safe for several processes on one store.
 */
public final class LayerStoreStorage implements RegistryStorage {

    private static final int BUFFER = 1 << 20;
    private static final String DATA = "data";
    private static final String STATE = "state";

    private final LayerStore store;
    private final Repositories repos;
    private final boolean owned;
    /** Uploads a request of this process is writing (a file lock does not exclude threads of one JVM). */
    private static final Set<String> BUSY = ConcurrentHashMap.newKeySet();
    /** The running hash of each upload after its last append in this process, so completing reads nothing again. */
    private final Map<String, RunningHash> hashes = new ConcurrentHashMap<>();
    /** The layers of this process's uploads, staged while they stream in. */
    private final StreamedStagings stagings;

    private record RunningHash(String algorithm, long offset, MessageDigest hasher) {
    }

    private LayerStoreStorage(LayerStore store, boolean owned, int stagingLimit) {
        this.store = store;
        this.repos = store.repositories();
        this.owned = owned;
        this.stagings = new StreamedStagings(store, stagingLimit);
    }

    /** Opens (creating if needed) the store at {@code root}; closing the storage closes it. */
    public static LayerStoreStorage open(Path root) throws IOException {
        return new LayerStoreStorage(LayerStore.open(root), true, StreamedStagings.defaultLimit());
    }

    /** Serves an open store; the caller keeps it and closes it after the storage. */
    public static LayerStoreStorage on(LayerStore store) {
        return new LayerStoreStorage(store, false, StreamedStagings.defaultLimit());
    }

    /**
     * {@link #open(Path)} with at most {@code stagingLimit} uploads staged as they stream in at once (0: none; every
     * layer is then extracted at its manifest PUT, from the blob).
     */
    public static LayerStoreStorage open(Path root, int stagingLimit) throws IOException {
        if (stagingLimit < 0) {
            throw new IllegalArgumentException("stagingLimit must be 0 or more, not " + stagingLimit);
        }
        return new LayerStoreStorage(LayerStore.open(root), true, stagingLimit);
    }

    /** Uploads of this process being staged as they stream in (for tests). */
    int stagingsFeeding() {
        return stagings.feeding();
    }

    /** Stagings of completed uploads waiting for a manifest to claim them (for tests). */
    int stagingsWaiting() {
        return stagings.waiting();
    }

    /** The store served. */
    public LayerStore store() {
        return store;
    }

    // ---- blobs ----

    @Override
    public Optional<BlobInfo> statBlob(RepositoryName repository, OciDigest digest) throws IOException {
        return repos.blob(repository.value(), digest.toString()).map(b -> new BlobInfo(digest, b.size()));
    }

    @Override
    public SeekableByteChannel openBlob(RepositoryName repository, OciDigest digest) throws IOException {
        Optional<RepositoryBlob> b = repos.blob(repository.value(), digest.toString());
        if (b.isEmpty()) {
            throw new BlobUnknownException(repository, digest);
        }
        try {
            return store.openBlob(b.get().content());
        } catch (dev.cairn.model.BlobNotFoundException e) {
            throw new BlobUnknownException(repository, digest);
        }
    }

    @Override
    public void deleteBlob(RepositoryName repository, OciDigest digest, AuditContext audit) throws IOException {
        Repositories viewRepos = store.as(audit.caller()).repositories();
        if (!viewRepos.unlinkBlob(repository.value(), digest.toString())) {
            throw new BlobUnknownException(repository, digest);
        }
    }

    @Override
    public Optional<BlobInfo> mountBlob(RepositoryName repository, Optional<RepositoryName> from, OciDigest digest,
                                        AuditContext audit) throws IOException {
        Repositories viewRepos = store.as(audit.caller()).repositories();
        return viewRepos.mount(repository.value(), from.map(RepositoryName::value), digest.toString())
                .map(b -> new BlobInfo(digest, b.size()));
    }

    // ---- uploads ----

    @Override
    public UploadStatus startUpload(RepositoryName repository, String algorithm, AuditContext audit)
            throws IOException {
        newHasher(algorithm);
        UploadId id = UploadId.random();
        UploadSession session;
        Repositories viewRepos = store.as(audit.caller()).repositories();
        session = viewRepos.startUpload(repository.value(), id.value(), algorithm);
        Path data = session.folder().resolve(DATA);
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        dev.cairn.io.DurableFiles.syncDir(session.folder());
        return status(session.upload(), 0);
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
            hashes.remove(id.value());
            boolean appended = false;
            try {
                data.truncate(offset);
                data.position(offset);
                long written = copy(chunk, data, hasher, length, status, lock.folder.resolve(DATA), audit);
                data.force(false);
                UploadStatus after = new UploadStatus(id, repository, status.algorithm(), offset + written,
                        status.started());
                writeState(lock.folder, after.offset());
                hashes.put(id.value(), new RunningHash(status.algorithm(), after.offset(), hasher));
                appended = true;
                return after;
            } finally {
                if (!appended) {
                    stagings.abort(id.value()); // its staging saw bytes the upload does not keep
                }
            }
        }
    }

    /**
     * Copies the chunk, hashing it and handing it to the upload's staging (one is started at the upload's first bytes
     * if they look like a layer); a short or long chunk is a size mismatch and the durable offset stays.
     */
    private long copy(InputStream in, FileChannel out, MessageDigest hasher, long length, UploadStatus status,
                      Path data, AuditContext audit) throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        StreamedStagings.Feed feed = stagings.continuing(status.id().value(), status.offset());
        while (length < 0 || total < length) {
            int want = length < 0 ? buf.length : (int) Math.min(buf.length, length - total);
            // an upload's first read waits for a tar header's worth of bytes, to tell a layer; others take what came
            int n = status.offset() == 0 && total == 0
                    ? in.readNBytes(buf, 0, Math.min(want, StreamedStagings.SNIFF)) : in.read(buf, 0, want);
            if (n <= 0) {
                break;
            }
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
            hasher.update(buf, 0, n);
            if (feed == null && status.offset() == 0 && total == 0) {
                feed = stagings.start(status.id().value(), data, buf, n, audit.caller());
            }
            if (feed != null) {
                feed.write(n);
            }
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
        Repositories viewRepos = store.as(audit.caller()).repositories();
        try (UploadLock lock = lockUpload(before)) {
            try {
                return complete(viewRepos, repository, id, digest, readState(repository, id), lock);
            } finally {
                stagings.abort(id.value()); // unless completing took its staging
            }
        }
    }

    /** Completes an upload whose lock is held: the digest verified, the data renamed into the content area. */
    private BlobInfo complete(Repositories repos, RepositoryName repository, UploadId id, OciDigest digest,
                              UploadStatus status, UploadLock lock) throws IOException {
        OciDigest actual = digestOf(id, status, digest.algorithm(), lock.data);
        if (!actual.equals(digest)) {
            hashes.remove(id.value());
            repos.discardUpload(id.value(), "digest mismatch: the bytes are " + actual + ", not " + digest);
            throw new DigestMismatchException("upload " + id, digest.toString(), actual.toString());
        }
        Digest content = digest.toSha256().orElse(null);
        if (content == null) {
            content = new Digest(HexFormat.of().formatHex(
                    hashFile(lock.data, status.offset(), OciDigest.SHA256).digest()));
        }
        // The bytes are durable already: every append ended with an fdatasync. The data file may hold a tail
        // past the durable offset (a chunk cut by a crash): cut it before the file becomes the blob.
        lock.data.truncate(status.offset());
        lock.data.force(false);
        hashes.remove(id.value());
        if (!repos.linkUpload(id.value(), digest.toString(), content, status.offset(), lock.folder.resolve(DATA))) {
            throw new UploadUnknownException(repository, id);
        }
        stagings.complete(id.value(), status.offset(), content);
        return new BlobInfo(digest, status.offset());
    }

    @Override
    public void cancelUpload(RepositoryName repository, UploadId id, AuditContext audit) throws IOException {
        UploadStatus status = readState(repository, id);
        Repositories viewRepos = store.as(audit.caller()).repositories();
        try (UploadLock lock = lockUpload(status)) {
            hashes.remove(id.value());
            stagings.abort(id.value());
            viewRepos.discardUpload(id.value(), "cancelled");
        }
    }

    @Override
    public int openUploads() throws IOException {
        return repos.uploads().size();
    }

    @Override
    public List<UploadId> reclaimUploads(Instant idleSince, AuditContext audit) throws IOException {
        List<UploadId> reclaimed = new ArrayList<>();
        Repositories viewRepos = store.as(audit.caller()).repositories();
        stagings.reclaim(idleSince);
        for (OpenUpload u : viewRepos.uploads()) {
            if (!UploadId.isValid(u.id())) {
                continue;
            }
            UploadId id = new UploadId(u.id());
            Optional<UploadSession> session = viewRepos.upload(u.id());
            Instant touched = u.started();
            if (session.isPresent()) {
                Path state = session.get().folder().resolve(STATE);
                try {
                    touched = Files.getLastModifiedTime(Files.exists(state) ? state : session.get().folder())
                            .toInstant();
                } catch (NoSuchFileException e) {
                    continue; // completed or cancelled meanwhile
                }
            }
            if (!touched.isBefore(idleSince) || !BUSY.add(u.id())) {
                continue;
            }
            try {
                if (session.isPresent()) {
                    try (FileChannel data = FileChannel.open(session.get().folder().resolve(DATA),
                            StandardOpenOption.WRITE);
                         FileLock l = data.tryLock()) {
                        if (l == null) {
                            continue; // another process is writing it
                        }
                        viewRepos.discardUpload(u.id(), "idle since " + touched);
                    } catch (OverlappingFileLockException e) {
                        continue;
                    } catch (NoSuchFileException e) {
                        viewRepos.discardUpload(u.id(), "its data is gone");
                    }
                } else {
                    viewRepos.discardUpload(u.id(), "its folder was never made or is gone");
                }
                hashes.remove(u.id());
                stagings.abort(u.id());
                reclaimed.add(id);
            } finally {
                BUSY.remove(u.id());
            }
        }
        return reclaimed;
    }

    // ---- manifests ----

    @Override
    public void putManifest(RepositoryName repository, OciDigest digest, ManifestDocument document, List<Tag> tags,
                            AuditContext audit) throws IOException {
        String repo = repository.value();
        List<OciDigest> missing = new ArrayList<>();
        Map<String, RepositoryBlob> layerBlobs = new HashMap<>();
        if (document instanceof ImageManifest m) {
            List<Descriptor> named = new ArrayList<>();
            named.add(m.config());
            named.addAll(m.layers());
            for (Descriptor d : named) {
                if (fetchedElsewhere(d)) {
                    continue;
                }
                Optional<RepositoryBlob> b = repos.blob(repo, d.digest().toString());
                if (b.isEmpty()) {
                    missing.add(d.digest());
                } else {
                    layerBlobs.put(d.digest().toString(), b.get());
                }
            }
        } else if (document instanceof ImageIndex index) {
            for (Descriptor d : index.manifests()) {
                if (repos.manifest(repo, d.digest().toString()).isEmpty()) {
                    missing.add(d.digest());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new ManifestBlobUnknownException(repository, missing);
        }
        LayerStore view = store.as(audit.caller());
        Repositories viewRepos = view.repositories();
        List<String> names = imageNames(repository, tags);
        Optional<ImageId> image = document instanceof ImageManifest m
                ? importImage(view, repository, m, layerBlobs, names) : Optional.empty();
        for (String name : names) {
            // a tag that moves away from an image takes its image name along
            Optional<ImageRecord> had = view.findImage(name);
            if (had.isPresent() && had.get().names().contains(name)
                    && (image.isEmpty() || !had.get().id().equals(image.get()))) {
                view.changeImageNames(had.get().id().hex(), List.of(), List.of(name));
            }
        }
        viewRepos.putManifest(repo, digest.toString(), document.bytes(), document.mediaType(),
                document.subject().map(s -> s.digest().toString()), tags.stream().map(Tag::value).toList(),
                image);
    }

    /**
     * Makes the image record of a pushed image manifest, if it is one the store can apply: its config parses as an
     * image config and its layers are of types the store extracts, all pushed (none fetched from elsewhere).
     * Anything else is an artifact, kept as blobs and a record only.
     */
    private Optional<ImageId> importImage(LayerStore store, RepositoryName repository, ImageManifest manifest,
                                                 Map<String, RepositoryBlob> blobs, List<String> names)
            throws IOException {
        RepositoryBlob configBlob = blobs.get(manifest.config().digest().toString());
        if (configBlob == null || manifest.config().digest().toSha256().isEmpty()
                || !MediaTypes.isImageConfig(manifest.config().mediaType())) {
            return Optional.empty();
        }
        for (Descriptor d : manifest.layers()) {
            if (!blobs.containsKey(d.digest().toString())) {
                return Optional.empty();
            }
        }
        Image image;
        try {
            byte[] config = readAll(store.openBlob(configBlob.content()), configBlob.size(), ImageConfig.MAX_SIZE);
            image = Image.of(List.of(), manifest, ImageConfig.parse(config, manifest.config().mediaType()), names);
        } catch (CairnException e) {
            return Optional.empty(); // not an image the store applies: an artifact
        }
        ImageSpec spec = ImageSpec.unnamed();
        for (String n : names) {
            spec = spec.withName(n);
        }
        List<Digest> contents = manifest.layers().stream().map(d -> blobs.get(d.digest().toString()).content())
                .toList();
        Map<Digest, OwnedStaging> staged = stagings.take(contents);
        try (PushedImage source = new PushedImage(store, image, blobs, repository)) {
            return Optional.of(store.importImage(source, spec, n -> { }, staged).image().id());
        } catch (DigestMismatchException | CorruptArchiveException | UnsafeArchiveException
                 | InvalidImageException | UnsupportedImageException e) {
            // layers that are not tars the store extracts (or do not match the config's DiffIDs): the registry still
            // keeps and serves the exact bytes, as an artifact
            return Optional.empty();
        } finally {
            StreamedStagings.closeQuietly(staged.values());
        }
    }

    /** The image names of a manifest's tags: {@code <repository>:<tag>}, where that is a valid name. */
    private static List<String> imageNames(RepositoryName repository, List<Tag> tags) {
        List<String> names = new ArrayList<>();
        for (Tag t : tags) {
            String n = repository.value() + ":" + t.value();
            if (n.getBytes(StandardCharsets.UTF_8).length <= LayerNames.MAX_BYTES) {
                names.add(n);
            }
        }
        return names;
    }

    private static byte[] readAll(SeekableByteChannel ch, long size, int max) throws IOException {
        try (ch) {
            if (size > max) {
                throw new SizeMismatchException("config", max, size);
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // fill
            }
            return b.array();
        }
    }

    /** A layer a manifest names but that clients fetch from its URLs, never from this registry. */
    private static boolean fetchedElsewhere(Descriptor d) {
        return LayerMediaType.of(d.mediaType()).map(t -> !t.distributable()).orElse(false);
    }

    @Override
    public Optional<OciDigest> resolveTag(RepositoryName repository, Tag tag) throws IOException {
        return repos.tag(repository.value(), tag.value()).map(OciDigest::parse);
    }

    @Override
    public Optional<StoredManifest> getManifest(RepositoryName repository, OciDigest digest) throws IOException {
        Optional<RepositoryManifest> m = repos.manifest(repository.value(), digest.toString());
        if (m.isEmpty()) {
            return Optional.empty();
        }
        return repos.manifestBytes(repository.value(), digest.toString())
                .map(b -> new StoredManifest(digest, m.get().mediaType(), b));
    }

    @Override
    public void deleteManifest(RepositoryName repository, OciDigest digest, AuditContext audit) throws IOException {
        String repo = repository.value();
        LayerStore view = store.as(audit.caller());
        Repositories viewRepos = view.repositories();
        Optional<RepositoryManifest> m = viewRepos.manifest(repo, digest.toString());
        if (m.isEmpty()) {
            throw new ManifestUnknownException(repository, digest.toString());
        }
        List<String> tags = viewRepos.tagsOf(repo, digest.toString());
        if (!viewRepos.deleteManifest(repo, digest.toString())) {
            throw new ManifestUnknownException(repository, digest.toString());
        }
        ImageId image = m.get().image();
        if (image != null) {
            Optional<ImageRecord> record = view.findImage(image.hex());
            if (record.isPresent() && !viewRepos.usesImage(image)) {
                view.deleteImage(image.hex());
            } else if (record.isPresent()) {
                List<String> names = imageNames(repository, tags.stream().map(Tag::new).toList());
                view.changeImageNames(image.hex(), List.of(), names);
            }
        }
    }

    @Override
    public void deleteTag(RepositoryName repository, Tag tag, AuditContext audit) throws IOException {
        LayerStore view = store.as(audit.caller());
        Repositories viewRepos = view.repositories();
        if (!viewRepos.deleteTag(repository.value(), tag.value())) {
            throw new ManifestUnknownException(repository, tag.value());
        }
        for (String name : imageNames(repository, List.of(tag))) {
            Optional<ImageRecord> had = view.findImage(name);
            if (had.isPresent() && had.get().names().contains(name)) {
                view.changeImageNames(had.get().id().hex(), List.of(), List.of(name));
            }
        }
    }

    @Override
    public List<Tag> listTags(RepositoryName repository, Optional<String> after, int limit) throws IOException {
        if (!repos.knows(repository.value())) {
            throw new RepositoryUnknownException(repository);
        }
        return repos.tags(repository.value(), after, limit).stream().map(Tag::new).toList();
    }

    @Override
    public List<Descriptor> referrers(RepositoryName repository, OciDigest subject) throws IOException {
        List<Descriptor> found = new ArrayList<>();
        for (RepositoryManifest m : repos.referrers(repository.value(), subject.toString())) {
            Optional<byte[]> bytes = repos.manifestBytes(repository.value(), m.digest());
            if (bytes.isPresent()) {
                OciDigest d = OciDigest.parse(m.digest());
                found.add(RegistryStorage.referrerDescriptor(d, ManifestDocument.parse(bytes.get(), m.mediaType())));
            }
        }
        return found;
    }

    @Override
    public void recordRead(RepositoryName repository, String what, AuditContext audit) throws IOException {
        Repositories viewRepos = store.as(audit.caller()).repositories();
        viewRepos.recordPull(repository.value(), what);
    }

    @Override
    public void close() throws IOException {
        hashes.clear();
        stagings.close();
        if (owned) {
            store.close();
        }
    }

    // ---- uploads: state, locks, hashing ----

    private static UploadStatus status(OpenUpload u, long offset) {
        return new UploadStatus(new UploadId(u.id()), new RepositoryName(u.repository()), u.algorithm(), offset,
                u.started());
    }

    /** The session's durable state, if it is open and belongs to {@code repository}. */
    private UploadStatus readState(RepositoryName repository, UploadId id) throws IOException {
        Optional<UploadSession> s = repos.upload(id.value());
        if (s.isEmpty() || !s.get().upload().repository().equals(repository.value())) {
            throw new UploadUnknownException(repository, id);
        }
        Path folder = s.get().folder();
        if (!Files.isRegularFile(folder.resolve(DATA), LinkOption.NOFOLLOW_LINKS)) {
            throw new UploadUnknownException(repository, id);
        }
        long offset;
        try {
            String text = Files.readString(folder.resolve(STATE), StandardCharsets.UTF_8).trim();
            offset = Long.parseLong(text);
        } catch (NoSuchFileException e) {
            offset = 0; // nothing appended yet
        } catch (NumberFormatException e) {
            throw new IOException("upload state " + folder.resolve(STATE) + " is damaged: " + e.getMessage(), e);
        }
        return status(s.get().upload(), offset);
    }

    /** Replaces the durable offset: written whole to a temporary, fsynced, renamed over the old one. */
    private static void writeState(Path folder, long offset) throws IOException {
        Path temp = folder.resolve(STATE + ".new");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap((offset + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(temp, folder.resolve(STATE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        dev.cairn.io.DurableFiles.syncDir(folder);
    }

    /** Exclusive right to write one upload, within this process and against other processes. */
    private static final class UploadLock implements AutoCloseable {
        final String id;
        final Path folder;
        final FileChannel data;
        final FileLock lock;

        UploadLock(String id, Path folder, FileChannel data, FileLock lock) {
            this.id = id;
            this.folder = folder;
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
                BUSY.remove(id);
            }
        }
    }

    private UploadLock lockUpload(UploadStatus status) throws IOException {
        String id = status.id().value();
        if (!BUSY.add(id)) {
            throw new UploadRangeException(status, "another request is writing to it");
        }
        FileChannel data = null;
        try {
            Optional<UploadSession> s = repos.upload(id);
            if (s.isEmpty()) {
                throw new UploadUnknownException(status.repository(), status.id());
            }
            Path folder = s.get().folder();
            data = FileChannel.open(folder.resolve(DATA), StandardOpenOption.READ, StandardOpenOption.WRITE,
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
            return new UploadLock(id, folder, data, lock);
        } catch (NoSuchFileException e) {
            closeQuietly(data);
            BUSY.remove(id);
            throw new UploadUnknownException(status.repository(), status.id());
        } catch (IOException | RuntimeException e) {
            closeQuietly(data);
            BUSY.remove(id);
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
        RunningHash h = hashes.get(id.value());
        if (h != null && h.offset() == status.offset() && h.algorithm().equals(status.algorithm())) {
            return h.hasher();
        }
        return hashFile(data, status.offset(), status.algorithm());
    }

    private OciDigest digestOf(UploadId id, UploadStatus status, String algorithm, FileChannel data)
            throws IOException {
        MessageDigest hasher;
        RunningHash h = hashes.get(id.value());
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

    private static MessageDigest newHasher(String algorithm) throws IOException {
        OciDigest probe = new OciDigest(algorithm, OciDigest.SHA512.equals(algorithm) ? "0".repeat(128)
                : "0".repeat(64));
        return probe.newHasher("upload");
    }
}
