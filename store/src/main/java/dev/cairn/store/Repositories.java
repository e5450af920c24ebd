package dev.cairn.store;

import dev.cairn.io.DurableFiles;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.ImageId;
import dev.cairn.model.OpenUpload;
import dev.cairn.model.RepositoryBlob;
import dev.cairn.model.RepositoryManifest;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.LiveIndex;
import dev.cairn.projection.RegistryTable;
import dev.cairn.store.internal.BlobStore;
import dev.cairn.store.internal.LockFiles;
import dev.cairn.store.internal.StoreLayout;
import dev.cairn.store.internal.StoreLock;
import dev.cairn.store.internal.StoreLocks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The repositories of a registry served from the store ({@code cairn serve}): upload sessions, and per repository the
 * blobs and manifests it holds and its tags, all as events in the store's journal ({@link Event.RepositoryEvent}),
 * over the store's one content area {@code <root>/blobs/} — a blob several repositories (or images) hold is kept
 * once. Obtained from {@link LayerStore#repositories()}; the registry module's {@code LayerStoreStorage} speaks the
 * distribution protocol on top of it. Every change is journaled with the store's actor; those of a view's
 * repositories ({@code store.as(caller).repositories()}) with its caller's principal, request id and client.
 *
 * <h2>Durable steps</h2>
 * <table>
 *   <caption>each change, in order; what a crash at any point leaves</caption>
 *   <tr><th>change</th><th>steps</th><th>after a crash</th></tr>
 *   <tr><td>open an upload</td><td>{@code UploadStarted} → {@code <root>/uploads/<id>/} made</td>
 *       <td>an open upload without its folder: unknown to clients, reclaimed by age</td></tr>
 *   <tr><td>link an upload as a blob</td><td>under the writers' lock: the upload's file renamed into
 *       {@code blobs/} → {@code BlobLinked}; then the folder removed</td>
 *       <td>a blob no event holds: an orphan recovery removes; a folder of a closed upload: removed at open</td></tr>
 *   <tr><td>discard an upload</td><td>{@code UploadDiscarded} → folder removed</td>
 *       <td>the folder of a closed upload: removed at open ({@code OrphanRemoved})</td></tr>
 *   <tr><td>put a manifest</td><td>under the writers' lock: the bytes written into {@code blobs/} (a temporary named
 *       by a live owner lock, renamed in) → {@code ManifestPut}</td><td>an orphan blob, removed by recovery</td></tr>
 *   <tr><td>unlink a blob, delete a manifest</td><td>under the writers' lock: {@code BlobUnlinked} /
 *       {@code ManifestDeleted} → the bytes removed if no repository or image holds them any more</td>
 *       <td>an orphan blob, removed by recovery</td></tr>
 * </table>
 * Recovery treats blobs a repository holds as accounted for, and removes upload folders of no open upload.
 * Repository names, tags and digests are checked by the caller (the registry's grammar); upload ids here are checked
 * to be safe file names. Thread-safe.
 */
public final class Repositories {

    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{32}");

    private final LayerWriter writer;
    private final StoreLayout layout;
    private final LiveIndex live;
    private final StoreLocks locks;
    private final BlobStore blobs;

    Repositories(LayerWriter writer, StoreLayout layout, LiveIndex live, StoreLocks locks) {
        this.writer = writer;
        this.layout = layout;
        this.live = live;
        this.locks = locks;
        this.blobs = layout.blobs();
    }

    /** An open upload session and the folder its bytes are written in (the caller's own files). */
    public record UploadSession(OpenUpload upload, Path folder) {
    }

    /** The repositories as readers see them: never waits for a thread folding in other processes' records. */
    private RegistryTable table() throws IOException {
        return live.tryCatchUp().registry();
    }

    // ---- uploads ----

    /** Opens an upload session: journaled, then its empty folder made. */
    public UploadSession startUpload(String repository, String id, String algorithm) throws IOException {
        checkUploadId(id);
        writer.requireWritable();
        writer.append(new Event.UploadStarted(repository, id, algorithm));
        Path folder = folder(id);
        Files.createDirectories(layout.uploads());
        DurableFiles.mkdirDurable(folder);
        return new UploadSession(live.current().registry().upload(id).orElseThrow(), folder);
    }

    /** The open session {@code id}, if there is one and its folder exists. */
    public Optional<UploadSession> upload(String id) throws IOException {
        if (!UPLOAD_ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Optional<OpenUpload> u = table().upload(id);
        Path folder = folder(id);
        if (u.isEmpty() || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(new UploadSession(u.get(), folder));
    }

    /** Every open session (with or without its folder). */
    public List<OpenUpload> uploads() throws IOException {
        return table().uploads();
    }

    /** Discards an open session, with why: journaled, then its folder removed. No error if it is not open. */
    public void discardUpload(String id, String reason) throws IOException {
        checkUploadId(id);
        writer.requireWritable();
        Optional<OpenUpload> u = live.catchUp().registry().upload(id);
        if (u.isPresent()) {
            writer.append(new Event.UploadDiscarded(u.get().repository(), id, reason));
        }
        DurableFiles.removeTree(folder(id));
    }

    /**
     * Closes an open session as blob {@code digest} of its repository: {@code data}, a file in the session's folder
     * holding exactly the blob's bytes, durable and verified by the caller against {@code digest} and
     * {@code content} (its sha256), is moved into the content area and the link journaled, in one hold of the
     * writers' lock.
     *
     * @return false if the session was not open (another request closed it meanwhile); nothing changed
     */
    public boolean linkUpload(String id, String digest, Digest content, long size, Path data) throws IOException {
        checkUploadId(id);
        try (StoreLock.Hold w = writer.writeLock()) {
            Optional<OpenUpload> u = live.current().registry().upload(id);
            if (u.isEmpty()) {
                return false;
            }
            blobs.adopt(new BlobRef(content, size), data);
            FaultPoints.reach(FaultPoints.REPOSITORY_BLOB_IN_PLACE);
            writer.append(new Event.BlobLinked(u.get().repository(), digest, content, size, id));
        }
        FaultPoints.reach(FaultPoints.REPOSITORY_BLOB_LINKED);
        DurableFiles.removeTree(folder(id));
        return true;
    }

    /**
     * Links a blob the content area has into {@code repository} (a cross-repository mount): the one {@code from}
     * holds under {@code digest}, or with {@code from} empty any repository's.
     *
     * @return the blob now linked, or empty if there was none to link
     */
    public Optional<RepositoryBlob> mount(String repository, Optional<String> from, String digest) throws IOException {
        try (StoreLock.Hold w = writer.writeLock()) {
            RegistryTable t = live.current().registry();
            Optional<RepositoryBlob> source = from.isPresent() ? t.blob(from.get(), digest) : t.anyBlob(digest);
            if (source.isEmpty() || blobs.stat(source.get().content()).isEmpty()) {
                return Optional.empty();
            }
            RepositoryBlob b = source.get();
            if (t.blob(repository, digest).isEmpty()) {
                writer.append(new Event.BlobLinked(repository, digest, b.content(), b.size(), null));
            }
            return Optional.of(b);
        }
    }

    /** Removes a blob from a repository; its bytes go if nothing holds them any more. False if it did not hold it. */
    public boolean unlinkBlob(String repository, String digest) throws IOException {
        try (StoreLock.Hold w = writer.writeLock()) {
            Optional<RepositoryBlob> b = live.current().registry().blob(repository, digest);
            if (b.isEmpty()) {
                return false;
            }
            writer.append(new Event.BlobUnlinked(repository, digest));
            removeIfUnheld(b.get().content());
            return true;
        }
    }

    /** Journals that a blob or manifest of the repository was read ({@code what}: a digest or a tag). */
    public void recordPull(String repository, String what) throws IOException {
        writer.requireWritable();
        writer.append(new Event.Pulled(repository, what));
    }

    // ---- manifests and tags ----

    /**
     * Keeps a manifest's exact bytes and points {@code tags} at it: the bytes written into the content area and
     * {@code ManifestPut} journaled in one hold of the writers' lock.
     *
     * @param subject the digest its {@code subject} names, or empty
     * @param image   the image record the manifest became, or empty
     */
    public void putManifest(String repository, String digest, byte[] bytes, String mediaType,
                            Optional<String> subject, List<String> tags, Optional<ImageId> image) throws IOException {
        writer.requireWritable();
        BlobRef ref = new BlobRef(Digest.sha256(bytes), bytes.length);
        SagaOwner owner = SagaOwner.fresh(writer.actor());
        try (LockFiles.Owned lock = locks.create(owner.lock())) {
            try (StoreLock.Hold w = writer.writeLock()) {
                blobs.put(ref, bytes, owner.lock());
                FaultPoints.reach(FaultPoints.REPOSITORY_MANIFEST_IN_PLACE);
                writer.append(new Event.ManifestPut(repository, digest, ref.digest(), mediaType, bytes.length,
                        subject.orElse(null), tags, image.orElse(null)));
            }
            lock.release(true);
        }
    }

    /** Removes a manifest and its tags from a repository; its bytes go if nothing holds them. False if absent. */
    public boolean deleteManifest(String repository, String digest) throws IOException {
        try (StoreLock.Hold w = writer.writeLock()) {
            Optional<RepositoryManifest> m = live.current().registry().manifest(repository, digest);
            if (m.isEmpty()) {
                return false;
            }
            writer.append(new Event.ManifestDeleted(repository, digest));
            removeIfUnheld(m.get().content());
            return true;
        }
    }

    /** Removes a tag. False if the repository had no such tag. */
    public boolean deleteTag(String repository, String tag) throws IOException {
        try (StoreLock.Hold w = writer.writeLock()) {
            if (live.current().registry().tag(repository, tag).isEmpty()) {
                return false;
            }
            writer.append(new Event.TagDeleted(repository, tag));
            return true;
        }
    }

    /** Under the writers' lock: removes the content if no repository or image holds it now. */
    private void removeIfUnheld(Digest content) throws IOException {
        LayerIndex index = live.current();
        if (!index.holdsBlob(content)) {
            blobs.remove(content);
            blobs.sync();
        }
    }

    // ---- queries ----

    /** Whether anything was ever linked or pushed to the repository. */
    public boolean knows(String repository) throws IOException {
        return table().knows(repository);
    }

    /** A blob the repository holds, by its digest text. */
    public Optional<RepositoryBlob> blob(String repository, String digest) throws IOException {
        return table().blob(repository, digest);
    }

    /** A manifest the repository holds, by its digest text. */
    public Optional<RepositoryManifest> manifest(String repository, String digest) throws IOException {
        return table().manifest(repository, digest);
    }

    /** Whether a manifest of any repository became the image. */
    public boolean usesImage(ImageId image) throws IOException {
        return table().usesImage(image);
    }

    /** The digest text a tag points at. */
    public Optional<String> tag(String repository, String tag) throws IOException {
        return table().tag(repository, tag);
    }

    /** The tags pointing at a manifest of the repository, in ASCII order. */
    public List<String> tagsOf(String repository, String digest) throws IOException {
        return table().tagsOf(repository, digest);
    }

    /** The repository's tags in ASCII order, after {@code after} (exclusive) if given, at most {@code limit}. */
    public List<String> tags(String repository, Optional<String> after, int limit) throws IOException {
        return table().tags(repository, after, limit);
    }

    /** The manifests of the repository whose subject is {@code subject}, ordered by digest. */
    public List<RepositoryManifest> referrers(String repository, String subject) throws IOException {
        return table().referrers(repository, subject);
    }

    /** The exact bytes of a manifest a repository holds. */
    public Optional<byte[]> manifestBytes(String repository, String digest) throws IOException {
        Optional<RepositoryManifest> m = table().manifest(repository, digest);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        try (var ch = blobs.open(m.get().content())) {
            byte[] b = new byte[Math.toIntExact(m.get().size())];
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // fill
            }
            if (buf.hasRemaining() || !Digest.sha256(b).equals(m.get().content())) {
                throw new dev.cairn.model.DigestMismatchException("manifest " + digest + " of " + repository
                        + " (" + layout.blobs().path(m.get().content()) + ")", m.get().content(), Digest.sha256(b));
            }
            return Optional.of(b);
        } catch (dev.cairn.model.BlobNotFoundException e) {
            return Optional.empty(); // deleted meanwhile
        }
    }

    // ---- recovery ----

    /**
     * The registry's part of recovery, run at open: removes every folder in {@code <root>/uploads/} that is not an
     * open session (a session closed or discarded by a process that died before removing it, or debris), each
     * journaled as {@code OrphanRemoved}. Decided against the journal's head under the writers' lock, so no session
     * being opened is taken for debris (its event precedes its folder).
     */
    void removeStrayUploadFolders() throws IOException {
        Path dir = layout.uploads();
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<String> removed = new ArrayList<>();
        try (StoreLock.Hold w = writer.writeLock()) {
            List<String> names = DurableFiles.list(dir);
            // caught up after listing: a folder listed was made after its UploadStarted, which this index then has
            RegistryTable t = live.catchUp().registry();
            for (String name : names) {
                if (UPLOAD_ID.matcher(name).matches() && t.upload(name).isPresent()) {
                    continue;
                }
                try {
                    DurableFiles.removeTree(dir.resolve(name));
                } catch (java.nio.file.NoSuchFileException e) {
                    continue; // its owner removed it meanwhile
                }
                removed.add(name);
            }
            for (String name : removed) {
                writer.append(new Event.OrphanRemoved("uploads/" + name, "no open upload session"));
            }
        }
    }

    private Path folder(String id) {
        return layout.uploads().resolve(id);
    }

    private static void checkUploadId(String id) {
        if (!UPLOAD_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not an upload id (32 lowercase hex): " + id);
        }
    }
}
