package dev.cairn.store;

import dev.cairn.model.BlobRef;
import dev.cairn.model.CorruptArchiveException;
import dev.cairn.model.Digest;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.Event;
import dev.cairn.model.ImageId;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNames;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.StoreLockedException;
import dev.cairn.model.UnsupportedImageException;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.oci.Image;
import dev.cairn.oci.ImageLayer;
import dev.cairn.oci.ImageSource;
import dev.cairn.oci.OciDigest;
import dev.cairn.oci.VerifiedBlobStream;
import dev.cairn.projection.ImageEntry;
import dev.cairn.projection.ImageTable;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.LiveIndex;
import dev.cairn.store.internal.BlobStore;
import dev.cairn.store.internal.LockFiles;
import dev.cairn.store.internal.StoreLayout;
import dev.cairn.store.internal.StoreLock;
import dev.cairn.store.internal.StoreLocks;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The image sagas (docs/STORE.md, "Images"), on the skeleton of {@link LayerWriter}.
 *
 * <h2>Import</h2>
 * <ol>
 *   <li><b>Plan.</b> Every layer's id is computed from the config's DiffIDs before anything is read
 *   ({@link LayerId#forDiff}): a layer whose id the store has is done and is not extracted again.</li>
 *   <li><b>Stage</b>, all missing layers at once (bounded by cores and memory), each an <em>ephemeral</em> staging
 *   owned by this process: its blob verified while it is read, extracted, its bytes as received kept beside the
 *   extracted contents, its DiffID checked against the config's before {@code DiffStaged}. A layer the store has
 *   whose blob it lacks has only the blob copied (verified) into a temporary. A layer whose blob the caller staged
 *   already ({@link OwnedStaging}, e.g. while a registry upload streamed in) takes that staging instead, its DiffID
 *   checked against the config's; its blob is expected in place. If anything fails, every staging and temporary is
 *   removed and nothing of the import is left.</li>
 *   <li><b>Apply</b> in order, each on its parent, under containers/image's ids (a layer another process made
 *   meanwhile counts as done).</li>
 *   <li><b>The image saga</b>: {@code ImageCreated} under the writers' lock, naming every blob the image will hold;
 *   then, outside it, the blobs put in place (a staging's copy renamed in, manifest and config written); then, under
 *   the writers' lock again, one batch: {@code ImageNamesSet} for every other image that loses a name to this one,
 *   {@code ImageCommitted}, {@code StagingCleaned} for each staging.</li>
 * </ol>
 * A process that dies at any moment leaves no partial image and no partial layer: an image without its commit is
 * rolled back by recovery (its blobs removed where no other image holds them), its ephemeral stagings are removed,
 * and the layers it committed stay, so the retry reuses them.
 *
 * <h2>Delete</h2>
 * {@code ImageDeleteStarted} (gone for readers) and, in the same hold of the writers' lock, the blobs only it held
 * unlinked; then the removals made durable and {@code ImageDeleted}. Its layers stay until they are deleted.
 *
 * <p>Thread-safe.
 */
final class ImageWriter {

    /** Memory an extraction may take at most (buffers of the pump, the decompressor, the copy): bounds parallelism. */
    private static final long MEMORY_PER_STAGING = 64L << 20;

    private final LayerWriter layers;
    private final StoreLayout layout;
    private final StoreOptions options;
    private final LiveIndex live;
    private final StoreLocks locks;
    private final BlobStore blobs;

    ImageWriter(LayerWriter layers, StoreLayout layout, StoreOptions options, LiveIndex live, StoreLocks locks) {
        this.layers = layers;
        this.layout = layout;
        this.options = options;
        this.live = live;
        this.locks = locks;
        this.blobs = layout.blobs();
    }

    // --- import --------------------------------------------------------------------------------------------------

    /** One layer of the image being imported, as the plan has it. */
    private static final class Part {
        final ImageLayer layer;
        final LayerId id;
        final Digest diffId;
        /** The blob the image holds for it; null when its blob is its uncompressed tar, rebuilt from the layer. */
        final BlobRef blob;
        /** Set by the stage: the staging this import made for it, its lock held. */
        LayerWriter.Staging staging;
        /** Whether {@link #staging} was handed in ({@link OwnedStaging}): it keeps no copy of the blob. */
        boolean prestaged;
        /** Set by a blob copy: a temporary holding its blob. */
        Path temporary;
        boolean made;

        Part(ImageLayer layer, LayerId id, Digest diffId, BlobRef blob) {
            this.layer = layer;
            this.id = id;
            this.diffId = diffId;
            this.blob = blob;
        }
    }

    ImportedImage importImage(ImageSource source, ImageSpec spec, LongConsumer progress) throws IOException {
        return importImage(source, spec, progress, java.util.Map.of());
    }

    /** The import, applying the layers {@code staged} holds a staging for (by blob sha256) instead of staging them. */
    ImportedImage importImage(ImageSource source, ImageSpec spec, LongConsumer progress,
                              java.util.Map<Digest, OwnedStaging> staged) throws IOException {
        layers.requireWritable();
        Image image = source.image();
        Digest configDigest = sha256(image.config().digest(), image + " config");
        ImageId id = ImageId.ofConfig(configDigest);
        byte[] manifestBytes = image.manifest().bytes();
        byte[] configBytes = image.config().bytes();
        BlobRef manifest = new BlobRef(Digest.sha256(manifestBytes), manifestBytes.length);
        BlobRef config = new BlobRef(configDigest, configBytes.length);
        List<Part> parts = plan(image);
        Optional<ImportedImage> existing = duplicateOf(id, spec);
        if (existing.isPresent()) {
            return existing.get();
        }
        SagaOwner owner = SagaOwner.fresh(options.actor());
        LockFiles.Owned lock = locks.create(owner.lock());
        boolean committed = false;
        boolean ended = false;
        try {
            stageAll(source, parts, owner, progress, staged);
            FaultPoints.reach(FaultPoints.IMAGE_STAGED);
            applyAll(parts);
            FaultPoints.reach(FaultPoints.IMAGE_LAYERS_APPLIED);
            List<BlobRef> held = new ArrayList<>(List.of(manifest, config));
            parts.stream().filter(p -> p.blob != null && !held.contains(p.blob)).forEach(p -> held.add(p.blob));
            Event.ImageCreated created = new Event.ImageCreated(id, manifest.digest(), image.manifest().mediaType(),
                    manifest.size(), config.digest(), config.size(), parts.stream().map(p -> p.id).toList(), held,
                    image.config().created().orElse(null), owner);
            Optional<ImportedImage> raced = startImage(created, spec, lock);
            if (raced.isPresent()) {
                dropAll(parts, "the image was imported by another process meanwhile");
                ended = true;
                return raced.get();
            }
            try {
                blobs.put(manifest, manifestBytes, owner.lock());
                blobs.put(config, configBytes, owner.lock());
                for (Part p : parts) {
                    storeBlob(source, p, owner);
                }
                FaultPoints.reach(FaultPoints.IMAGE_BLOBS_STORED);
                for (Part p : parts) {
                    if (p.staging != null) {
                        layout.removeStaging(p.staging.staged().id());
                    }
                }
                ImportedImage done = commit(id, spec, parts);
                committed = true;
                FaultPoints.reach(FaultPoints.IMAGE_COMMITTED);
                return done;
            } catch (IOException | RuntimeException e) {
                lock.release(false);
                finishAfterFailure(id, e);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            dropAll(parts, "the image import failed: " + LayerWriter.oneLine(e), e);
            ended = true;
            throw e;
        } finally {
            // after the commit, the stagings are cleaned and their locks done with; on the way out of a failure
            // (an Error, say) that left some held, they are let go as a dying process lets go of them
            for (Part p : parts) {
                if (p.staging != null) {
                    p.staging.lock().release(committed);
                }
            }
            // its file is forgotten once no saga needs it: committed, or rolled back (as recovery does it)
            lock.release(committed || ended);
        }
    }

    /** The layers' ids, containers/image's, and the blobs the image will hold; every digest must be sha256. */
    private static List<Part> plan(Image image) throws UnsupportedImageException {
        List<Part> parts = new ArrayList<>();
        Optional<LayerId> parent = Optional.empty();
        for (ImageLayer l : image.layers()) {
            Digest diffId = sha256(l.diffId(), image + " " + l + " DiffID");
            LayerId id = LayerId.forDiff(parent, diffId);
            BlobRef blob = l.uncompressed() ? null
                    : new BlobRef(sha256(l.blob().digest(), image + " " + l), l.blob().size());
            parts.add(new Part(l, id, diffId, blob));
            parent = Optional.of(id);
        }
        return parts;
    }

    private static Digest sha256(OciDigest d, String what) throws UnsupportedImageException {
        return d.toSha256().orElseThrow(() -> new UnsupportedImageException(what, "is named by " + d
                + "; a store keeps blobs and names images by sha256 only"));
    }

    /**
     * Stages every layer the store lacks and copies the blobs of those it has but whose blobs it lacks, all at once
     * (at most as many at a time as there are cores and memory for). If one fails, the others are stopped, and the
     * first failure is thrown (after every staging that finished is known in {@code parts}, for the caller to drop).
     */
    private void stageAll(ImageSource source, List<Part> parts, SagaOwner owner, LongConsumer progress,
                          java.util.Map<Digest, OwnedStaging> staged) throws IOException {
        LayerIndex index = live.catchUp();
        List<Part> work = new ArrayList<>();
        for (Part p : parts) {
            boolean present = index.layer(p.id).isPresent();
            if (!present && claimStaged(source, p, staged)) {
                continue;
            }
            if (!present || p.blob != null && !index.images().holds(p.blob.digest())
                    && blobs.stat(p.blob.digest()).filter(b -> b.size() == p.blob.size()).isEmpty()) {
                work.add(p);
            }
        }
        if (work.isEmpty()) {
            return;
        }
        AtomicLong read = new AtomicLong();
        LongConsumer total = n -> progress.accept(read.addAndGet(n));
        int threads = (int) Math.max(1, Math.min(work.size(), Math.min(Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / MEMORY_PER_STAGING)));
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "cairn-image-stage-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            // the stagings are the caller's work: this writer's, so journaled with its actor (a view's caller)
            for (Part p : work) {
                boolean present = index.layer(p.id).isPresent();
                futures.add(pool.submit(() -> {
                    if (present) {
                        copyBlob(source, p, owner, total);
                    } else {
                        stageLayer(source, p, total);
                    }
                    return null;
                }));
            }
            IOException failure = null;
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = asIOException(e.getCause());
                        futures.forEach(other -> other.cancel(true));
                    }
                } catch (java.util.concurrent.CancellationException e) {
                    // stopped because another failed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    futures.forEach(other -> other.cancel(true));
                    failure = failure != null ? failure : new InterruptedIOException("interrupted while staging " + source.image());
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdownNow();
            awaitQuietly(pool);
        }
    }

    /**
     * Takes the staging handed in for this layer's blob, if there is one: its DiffID must be the config's (a mismatch
     * is thrown after the staging is the import's, so the failure drops it with the rest).
     */
    private static boolean claimStaged(ImageSource source, Part p, java.util.Map<Digest, OwnedStaging> staged)
            throws IOException {
        Optional<Digest> blob = p.layer.blob().digest().toSha256();
        OwnedStaging given = blob.isEmpty() ? null : staged.get(blob.get());
        LayerWriter.Staging s = given == null ? null : given.claim();
        if (s == null) {
            return false;
        }
        p.staging = s;
        p.prestaged = true;
        if (!s.staged().diffDigest().equals(p.diffId)) {
            throw new DigestMismatchException(source.image() + " " + p.layer + " DiffID (rootfs.diff_ids["
                    + p.layer.index() + "])", p.diffId, s.staged().diffDigest());
        }
        return true;
    }

    /** One layer staged from its blob: verified, extracted, its bytes kept (unless they are the tar), its DiffID. */
    private void stageLayer(ImageSource source, Part p, LongConsumer read) throws IOException {
        String what = source.image() + " " + p.layer;
        try (VerifiedBlobStream blob = source.openLayer(p.layer.index())) {
            p.staging = layers.stageForImage(new CountingInputStream(blob, read), bytes -> { }, p.blob != null, r -> {
                if (!blob.verified()) {
                    blob.verifyToEnd();
                }
                if (!r.diffDigest().equals(p.diffId)) {
                    throw new DigestMismatchException(what + " DiffID (rootfs.diff_ids[" + p.layer.index() + "])",
                            p.diffId, r.diffDigest());
                }
            });
        } catch (CorruptArchiveException e) {
            throw new CorruptArchiveException(what + ": " + e.getMessage(), e);
        }
    }

    /** The blob of a layer the store has (so it is not extracted again), copied verified into a temporary. */
    private void copyBlob(ImageSource source, Part p, SagaOwner owner, LongConsumer read) throws IOException {
        try (VerifiedBlobStream blob = source.openLayer(p.layer.index())) {
            p.temporary = blobs.receive(p.blob, new CountingInputStream(blob, read), owner.lock());
        }
    }

    /** Applies the staged layers in order, each on its parent, under its id; those the store has stay as they are. */
    private void applyAll(List<Part> parts) throws IOException {
        LayerId parent = null;
        for (Part p : parts) {
            if (p.staging != null) {
                LayerSpec spec = (parent == null ? LayerSpec.base() : LayerSpec.on(parent.hex())).withId(p.id)
                        .expectingDiffId(p.diffId);
                AppliedLayer a = layers.applyHeld(p.staging.staged().id(), spec, p.staging.lock());
                p.made = !a.duplicate();
            }
            parent = p.id;
        }
    }

    /**
     * The image saga's start, under the writers' lock: every layer committed, no image of this id in the way, then
     * {@code ImageCreated}. If another process committed the image meanwhile, that one is returned (with the names
     * added) and nothing is started; if another saga on this id is open, this waits for its owner, outside the lock.
     */
    private Optional<ImportedImage> startImage(Event.ImageCreated created, ImageSpec spec, LockFiles.Owned lock)
            throws IOException {
        long deadline = layers.deadline();
        while (true) {
            ImageEntry blocker;
            try (StoreLock.Hold w = layers.writeLock()) {
                LayerIndex index = live.current();
                for (LayerId l : created.layers()) {
                    if (index.layer(l).isEmpty()) {
                        throw new LayerNotFoundException(l.hex() + " (a layer of the image, deleted while it was "
                                + "imported)");
                    }
                }
                blocker = index.images().entry(created.image()).orElse(null);
                if (blocker != null && blocker.isCommitted()) {
                    return Optional.of(addNames(index, blocker.id(), spec.names(), true));
                }
                if (blocker == null) {
                    layers.start(lock, false, FaultPoints.IMAGE_CREATED, created);
                    return Optional.empty();
                }
            }
            awaitImage(blocker, deadline);
        }
    }

    /** Puts a layer's blob in place: a staging's copy or a temporary renamed in, else copied from the source. */
    private void storeBlob(ImageSource source, Part p, SagaOwner owner) throws IOException {
        if (p.blob == null) {
            return;
        }
        Path copy = p.staging != null && !p.prestaged ? layout.stagedBlob(p.staging.staged().id()) : p.temporary;
        if (copy != null) {
            blobs.adopt(p.blob, copy);
            p.temporary = null;
            return;
        }
        if (blobs.stat(p.blob.digest()).filter(b -> b.size() == p.blob.size()).isEmpty()) {
            try (VerifiedBlobStream in = source.openLayer(p.layer.index())) {
                blobs.put(p.blob, in, owner.lock());
            }
        }
    }

    /** The image saga's end, one batch under the writers' lock: names moved to it, its commit, the stagings cleaned. */
    private ImportedImage commit(ImageId id, ImageSpec spec, List<Part> parts) throws IOException {
        try (StoreLock.Hold w = layers.writeLock()) {
            List<Event> batch = new ArrayList<>(takeNames(live.current().images(), id, spec.names()));
            batch.add(new Event.ImageCommitted(id, spec.names()));
            for (Part p : parts) {
                if (p.staging != null) {
                    batch.add(new Event.StagingCleaned(p.staging.staged().id()));
                }
            }
            layers.append(batch.toArray(Event[]::new));
            List<LayerId> made = parts.stream().filter(p -> p.made).map(p -> p.id).toList();
            List<LayerId> reused = parts.stream().filter(p -> !p.made).map(p -> p.id).toList();
            return new ImportedImage(visible(id), false, spec.names(), made, reused);
        }
    }

    /**
     * An image of this id exists already: it is returned with the names asked for added (taken from any other image
     * that had them), and nothing is read or staged.
     */
    private Optional<ImportedImage> duplicateOf(ImageId id, ImageSpec spec) throws IOException {
        if (live.catchUp().images().image(id).isEmpty()) {
            return Optional.empty();
        }
        try (StoreLock.Hold w = layers.writeLock()) {
            LayerIndex index = live.current();
            if (index.images().image(id).isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(addNames(index, id, spec.names(), true));
        }
    }

    /** Under the writers' lock: {@code names} added to committed image {@code id}. */
    private ImportedImage addNames(LayerIndex index, ImageId id, List<String> names, boolean duplicate)
            throws IOException {
        ImageRecord image = index.images().image(id).orElseThrow();
        List<String> added = names.stream().filter(n -> !image.names().contains(n)).toList();
        if (!added.isEmpty()) {
            List<String> all = new ArrayList<>(image.names());
            all.addAll(added);
            List<Event> batch = new ArrayList<>(takeNames(index.images(), id, added));
            batch.add(new Event.ImageNamesSet(id, all));
            layers.append(batch.toArray(Event[]::new));
        }
        return new ImportedImage(visible(id), duplicate, added, List.of(), image.layers());
    }

    /** The {@code ImageNamesSet} events that take {@code names} from the other images holding them. */
    private static List<Event> takeNames(ImageTable images, ImageId to, List<String> names) {
        java.util.Map<ImageId, List<String>> losing = new java.util.LinkedHashMap<>();
        for (String n : names) {
            Optional<ImageId> holder = images.nameHolder(n);
            if (holder.isPresent() && !holder.get().equals(to)) {
                losing.computeIfAbsent(holder.get(), h -> new ArrayList<>(images.entry(h).orElseThrow().names()))
                        .remove(n);
            }
        }
        List<Event> out = new ArrayList<>();
        losing.forEach((image, rest) -> out.add(new Event.ImageNamesSet(image, rest)));
        return out;
    }

    /** Removes every staging and temporary the import made, journaling each staging's end. */
    private void dropAll(List<Part> parts, String reason, Exception into) {
        for (Part p : parts) {
            try {
                if (p.staging != null) {
                    LayerWriter.Staging s = p.staging;
                    p.staging = null;
                    layers.dropHeld(s.staged().id(), s.lock(), reason);
                }
                if (p.temporary != null) {
                    blobs.removeTemporary(p.temporary.getFileName().toString());
                    p.temporary = null;
                }
            } catch (IOException | RuntimeException e) {
                into.addSuppressed(e);
            }
        }
    }

    private void dropAll(List<Part> parts, String reason) throws IOException {
        IOException failure = new IOException("cleaning up after " + reason);
        dropAll(parts, reason, failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    // --- delete --------------------------------------------------------------------------------------------------

    /**
     * The image delete saga: {@code ImageDeleteStarted} and, in the same hold of the writers' lock, the blobs no other
     * image holds unlinked; then the removals made durable and {@code ImageDeleted}. Its layers stay.
     *
     * @throws dev.cairn.model.ImageNotFoundException  if no image answers to {@code ref}
     * @throws dev.cairn.model.AmbiguousImageException if an id prefix matches several
     */
    ImageRecord delete(String ref) throws IOException {
        ImageRecord image;
        LockFiles.Owned lock;
        try (StoreLock.Hold w = layers.writeLock()) {
            LayerIndex index = live.current();
            image = index.images().resolve(ref);
            SagaOwner owner = SagaOwner.fresh(options.actor());
            lock = layers.start(locks.create(owner.lock()), true, FaultPoints.IMAGE_DELETE_STARTED,
                    new Event.ImageDeleteStarted(image.id(), owner));
            try {
                for (BlobRef b : image.blobs()) {
                    if (live.current().images().blobHolders(b.digest()).equals(List.of(image.id()))
                            && !live.current().registry().holds(b.digest())) {
                        blobs.remove(b.digest());
                    }
                }
            } catch (IOException | RuntimeException e) {
                lock.release(false);
                finishAfterFailure(image.id(), e);
                throw e;
            }
        }
        boolean done = false;
        try {
            blobs.sync();
            FaultPoints.reach(FaultPoints.IMAGE_BLOBS_REMOVED);
            layers.append(new Event.ImageDeleted(image.id()));
            done = true;
            FaultPoints.reach(FaultPoints.IMAGE_DELETED);
            return image;
        } catch (IOException | RuntimeException e) {
            lock.release(false);
            finishAfterFailure(image.id(), e);
            throw e;
        } finally {
            lock.release(done);
        }
    }

    // --- names ---------------------------------------------------------------------------------------------------

    /**
     * Adds and removes names of an image in one journaled batch: names it gains are taken from any other image that
     * had them ({@code ImageNamesSet} of each), as containers/storage moves image names; a name in both lists ends up
     * removed.
     */
    ImageRecord changeNames(String ref, List<String> add, List<String> remove) throws IOException {
        List<String> added = LayerNames.checkAll(add);
        try (StoreLock.Hold w = layers.writeLock()) {
            return changeNamesHeld(live.current().images().resolve(ref), added, remove);
        }
    }

    /** Replaces an image's names (each taken from any other image that had it). */
    ImageRecord setNames(String ref, List<String> names) throws IOException {
        List<String> checked = LayerNames.checkAll(names);
        try (StoreLock.Hold w = layers.writeLock()) {
            ImageRecord image = live.current().images().resolve(ref);
            List<String> remove = image.names().stream().filter(n -> !checked.contains(n)).toList();
            return changeNamesHeld(image, checked, remove);
        }
    }

    private ImageRecord changeNamesHeld(ImageRecord image, List<String> add, List<String> remove) throws IOException {
        ImageTable images = live.current().images();
        LinkedHashSet<String> all = new LinkedHashSet<>(image.names());
        all.addAll(add);
        all.removeAll(remove);
        List<String> result = List.copyOf(all);
        List<Event> batch = new ArrayList<>(takeNames(images, image.id(),
                result.stream().filter(n -> !image.names().contains(n)).toList()));
        batch.add(new Event.ImageNamesSet(image.id(), result));
        layers.append(batch.toArray(Event[]::new));
        FaultPoints.reach(FaultPoints.IMAGE_NAMES_SET);
        return visible(image.id());
    }

    // --- the skeleton's parts ------------------------------------------------------------------------------------

    /**
     * Waits, outside the writers' lock, until the image saga in the way has ended: finishes it if its owner is dead,
     * else polls its owner's lock until it is free.
     */
    private void awaitImage(ImageEntry blocker, long deadline) throws IOException {
        long pause = 1;
        while (locks.alive(blocker.owner().lock())) {
            if (System.nanoTime() >= deadline) {
                throw new StoreLockedException(layout.ownerLock(blocker.owner().lock()), options.lockTimeout());
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for "
                        + layout.ownerLock(blocker.owner().lock()));
            }
            pause = Math.min(pause * 2, 20);
        }
        layers.recovery().finishImage(blocker.id());
    }

    /** After an image saga's work failed and its lock was released: finished as recovery would, or left for it. */
    private void finishAfterFailure(ImageId id, Exception cause) {
        try {
            layers.recovery().finishImage(id);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private ImageRecord visible(ImageId id) throws IOException {
        return live.current().images().image(id).orElseThrow(() -> new dev.cairn.model.ImageNotFoundException(
                id.hex(), "not in the store"));
    }

    private static IOException asIOException(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(t);
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("image staging threads did not stop within 10 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
