package dev.cairn.store;

import dev.cairn.archive.ChainLayer;
import dev.cairn.archive.LayerChanges;
import dev.cairn.archive.LayerCheckout;
import dev.cairn.archive.TarRecord;
import dev.cairn.journal.ArchiveChain;
import dev.cairn.journal.ArchivedPrefix;
import dev.cairn.journal.ChronicleJournal;
import dev.cairn.journal.Journal;
import dev.cairn.model.BlobRef;
import dev.cairn.model.CairnException;
import dev.cairn.model.Change;
import dev.cairn.model.CheckoutOptions;
import dev.cairn.model.CheckoutResult;
import dev.cairn.model.Digest;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.Layer;
import dev.cairn.model.LayerHasChildrenException;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.model.NameInUseException;
import dev.cairn.model.ProgressListener;
import dev.cairn.model.ReadOnlyStoreException;
import dev.cairn.model.RecoveryPlan;
import dev.cairn.model.RecoveryReport;
import dev.cairn.model.StagingId;
import dev.cairn.model.StagingNotFoundException;
import dev.cairn.model.StoreClosedException;
import dev.cairn.model.StoreNotFoundException;
import dev.cairn.oci.ImageReference;
import dev.cairn.oci.ImageSource;
import dev.cairn.oci.Platform;
import dev.cairn.projection.ImageHistory;
import dev.cairn.projection.LayerHistory;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.LiveIndex;
import dev.cairn.projection.Replay;
import dev.cairn.projection.StagingState;
import dev.cairn.recovery.Recovery;
import dev.cairn.store.internal.StoreLayout;
import dev.cairn.store.internal.StoreLock;
import dev.cairn.store.internal.StoreLocks;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * A store of container-image layers: the public face of Cairn.
 *
 * <h2>Lifecycle of a layer</h2>
 * {@link #stage} extracts and hashes a tarball outside any lock (several run in parallel, also across processes);
 * {@link #applyStaged} makes the layer exist atomically; {@link #cleanupStaged} removes what is left of the staging.
 * {@link #put} does all three. Every change is a saga (DESIGN.md section 3): a start event made durable before its
 * work and an end event after it, run by an owner whose lock dies with its process. {@link #open} runs recovery, so
 * a crash at any instant never leaves a half-made layer visible and never loses one whose method returned.
 *
 * <h2>Several processes</h2>
 * Any number of processes may open one store and write. Writes take the store's lock only for their short critical
 * section (the checks and the start event); the heavy work of a saga runs outside it. Recovery never touches a saga
 * whose owner is alive, and decides about a dead one against the journal's head, never an older view.
 *
 * <h2>Readers and writers</h2>
 * Queries answer from an immutable index and never wait for a writer; another process's writes are seen by the next
 * query. A store opened {@linkplain #openReadOnly read-only} takes no lock and never changes anything.
 *
 * <p>Errors: expected outcomes are the {@link CairnException} subtypes of {@code dev.cairn.model}; failures of the
 * machine are {@link IOException}s naming the path. After any error the store is as it was (events recording a
 * refused attempt aside). Thread-safe.
 */
public final class LayerStore implements Closeable {

    private final StoreLayout layout;
    private final StoreOptions options;
    private final Journal journal;
    private final LiveIndex live;
    private final StoreLock lock;
    private final StoreLocks locks;
    private final LayerWriter writer;
    private final ImageWriter images;
    private final Repositories repositories;
    private final RecoveryReport recovery;
    /** The store that owns the journal and locks: this one, or the one an {@link #as(Caller)} view was made from. */
    private final LayerStore owner;
    /** Null for a read-only store, or when snapshots are off. */
    private final IndexSnapshots snapshots;
    private final long startedFrom;
    private volatile boolean closed;

    private LayerStore(StoreLayout layout, StoreOptions options, Journal journal, LiveIndex live, StoreLock lock,
                       IndexSnapshots snapshots, long startedFrom) throws IOException {
        this.snapshots = snapshots;
        this.startedFrom = startedFrom;
        this.layout = layout;
        this.options = options;
        this.journal = journal;
        this.live = live;
        this.lock = lock;
        this.locks = new StoreLocks(layout, lock, options.lockTimeout());
        this.writer = new LayerWriter(layout, options, journal, live, lock, locks);
        this.images = new ImageWriter(writer, layout, options, live, locks);
        this.repositories = new Repositories(writer, layout, live, locks);
        this.owner = this;
        this.recovery = lock == null ? new RecoveryReport(List.of())
                : writer.recovery().run(Instant.now(), options.stagingMaxAge());
        if (lock != null) {
            repositories.removeStrayUploadFolders();
        }
    }

    /** A view of {@code base} that journals as {@code options.actor()}. */
    private LayerStore(LayerStore base, StoreOptions options) {
        this(base, options, base.journal);
    }

    /** A view of {@code base} that journals as {@code options.actor()} and reads its history from {@code journal}. */
    private LayerStore(LayerStore base, StoreOptions options, Journal journal) {
        this.layout = base.layout;
        this.options = options;
        this.journal = journal;
        this.live = base.live;
        this.lock = base.lock;
        this.locks = base.locks;
        this.writer = new LayerWriter(layout, options, journal, live, lock, locks);
        this.images = new ImageWriter(writer, layout, options, live, locks);
        this.repositories = new Repositories(writer, layout, live, locks);
        this.recovery = base.recovery;
        this.owner = base.owner;
        this.snapshots = base.snapshots;
        this.startedFrom = base.startedFrom;
    }

    /** Opens (creating if needed) the store at {@code root} with the default options, and recovers it. */
    public static LayerStore open(Path root) throws IOException {
        return open(root, StoreOptions.defaults());
    }

    /**
     * Opens the store at {@code root}, creating it atomically if there is none (any number of processes may do so
     * at once), and runs recovery: every saga whose owner is dead is finished, every orphan removed.
     *
     * @throws dev.cairn.model.JournalCorruptedException if the journal fails verification
     * @throws dev.cairn.model.StoreLockedException      if recovery needed the writers' lock and another writer held
     *                                                   it past the timeout
     */
    public static LayerStore open(Path root, StoreOptions options) throws IOException {
        return open(root, options, true);
    }

    /**
     * Opens the store at {@code root} for queries only: no recovery, no lock, nothing created or changed. Unfinished
     * work of a crashed writer stays invisible, as always; {@link #recoveryPlan()} says what recovery would do. Every
     * change throws {@link ReadOnlyStoreException}. When the newest snapshot is at the journal's head, the journal's
     * queue is opened only once a record must be read (docs/JOURNAL.md, "A read-only open at the head").
     *
     * @throws StoreNotFoundException                  if there is no store at {@code root}
     * @throws java.nio.file.AccessDeniedException     if this process may not look into {@code root} or its journal
     * @throws java.nio.file.NotDirectoryException     if {@code root} is a file
     */
    public static LayerStore openReadOnly(Path root, StoreOptions options) throws IOException {
        return open(root, options, false);
    }

    private static LayerStore open(Path root, StoreOptions options, boolean writable) throws IOException {
        StoreLayout layout = new StoreLayout(root.toAbsolutePath().normalize());
        if (writable) {
            layout.create();
        } else if (!layout.exists()) {
            layout.explainAbsence();
            throw new StoreNotFoundException(layout.root().toString());
        }
        // Read-only writes nothing, so it also works where this process may not write, or on a read-only mount.
        IndexSnapshots.Opened opened = IndexSnapshots.openJournal(layout, options, writable);
        Journal journal = opened.journal();
        LiveIndex live = null;
        StoreLock lock = null;
        IndexSnapshots snapshots = null;
        try {
            live = LiveIndex.follow(journal, opened.start(), opened.startHash());
            lock = writable ? new StoreLock(layout.lockFile()) : null;
            if (writable && options.snapshots().enabled()) {
                snapshots = IndexSnapshots.start(layout, options, live, opened.start().seq());
            }
            return new LayerStore(layout, options, journal, live, lock, snapshots, opened.start().seq());
        } catch (IOException | RuntimeException e) {
            if (snapshots != null) {
                snapshots.close();
            }
            closeQuietly(lock, e);
            if (live != null) {
                live.close();
            }
            closeQuietly(journal, e);
            throw e;
        }
    }

    /** {@link #repair(Path, StoreOptions)} with the default options. */
    public static StoreRepairReport repair(Path root) throws IOException {
        return repair(root, StoreOptions.defaults());
    }

    /**
     * Repairs a store whose journal fails verification (docs/JOURNAL.md, "Damage and repair"), the one thing that
     * ever cuts records from a journal. Under the writers' lock, the damaged journal is renamed aside whole
     * ({@code journal.damaged-<time>} beside it, never deleted automatically) and replaced by its good prefix
     * followed by a {@code JournalRepaired} record; then the store is opened, which runs recovery (the folders of
     * layers whose events were lost are removed as orphans), and verified. A sound journal is left as it is: the
     * store is then only opened read-only and verified. Works when {@link #open} refuses.
     *
     * @throws StoreNotFoundException if there is no store at {@code root}
     * @throws IOException            if the journal cannot be read or the repaired one written; the store is then
     *                                as it was
     */
    public static StoreRepairReport repair(Path root, StoreOptions options) throws IOException {
        return StoreRepair.repair(new StoreLayout(root.toAbsolutePath().normalize()), options);
    }

    /** The root folder. */
    public Path root() {
        return layout.root();
    }

    /**
     * This store as seen by calls made on behalf of {@code caller}: every record its changes append carries this
     * process's user, host and pid with the caller's principal, request id, client and reason (docs/JOURNAL.md,
     * "Actor"), so {@code cairn log} shows who asked and why. The one way to name a caller: a cheap view, made per
     * call or per request, that shares everything with this store and answers queries alike; its
     * {@link #repositories()} journal as the caller too, and so does the work a call hands to other threads (an image
     * import's parallel stagings), which is given the view's writer. Closing it does nothing (close the store). A
     * caller of a view replaces the view's own.
     *
     * <pre>{@code
     * store.as(new Caller("alice", requestId, "push library/alpine:3.20")).put(tar, LayerSpec.base().withName("alpine"));
     * }</pre>
     */
    public LayerStore as(Caller caller) {
        java.util.Objects.requireNonNull(caller, "caller");
        return new LayerStore(this, options.withActor(options.actor().onBehalfOf(caller.principal(),
                caller.requestId()).withClient(caller.client()).withReason(caller.reason())));
    }

    /** What recovery did when this store was opened. */
    public RecoveryReport recoveryReport() {
        return recovery;
    }

    // --- recovery ------------------------------------------------------------------------------------------------

    /**
     * What recovery would do now, computed without changing anything (also on a read-only store): the sagas of
     * dead processes it would finish, the orphans it would remove, and the sagas it would leave to their live
     * owners.
     */
    public RecoveryPlan recoveryPlan() throws IOException {
        ensureOpen();
        return Recovery.plan(live, layout, locks, Instant.now(), options.stagingMaxAge());
    }

    /**
     * Runs recovery now, as {@link #open} does: what {@link #recoveryPlan()} shows, each step decided again against
     * the journal's head under the saga's lock (so a saga that finished meanwhile is left alone).
     *
     * @return the records it appended, one per action
     * @throws ReadOnlyStoreException on a read-only store
     */
    public RecoveryReport recover() throws IOException {
        ensureWritable();
        return writer.recovery().run(Instant.now(), options.stagingMaxAge());
    }

    // --- stage / apply / cleanup ---------------------------------------------------------------------------------

    /** {@link #stage(InputStream, LongConsumer)} without progress. */
    public StagedLayer stage(InputStream tar) throws IOException {
        return stage(tar, bytes -> { });
    }

    /**
     * Extracts and hashes a plain, gzip or zstd tar into a new staging, outside the writers' lock. When this
     * returns, the staged contents and their {@code DiffStaged} event are durable; the staging survives this process
     * until applied, cleaned up, or older than {@link StoreOptions#stagingMaxAge()}.
     *
     * @param progress told the number of input bytes consumed so far, from the extracting thread
     * @throws dev.cairn.model.CorruptArchiveException if the input is not a readable tar (an empty input is refused
     *                                                 before anything is journaled)
     * @throws dev.cairn.model.UnsafeArchiveException  if an entry would write outside the layer
     */
    public StagedLayer stage(InputStream tar, LongConsumer progress) throws IOException {
        ensureWritable();
        return writer.stage(tar, progress);
    }

    /**
     * Stages a plain, gzip or zstd tar as {@link #stage(InputStream, LongConsumer)} does, but owned by this process: the
     * returned staging lives until an image import given it applies it, it is closed, or this process ends (then
     * recovery removes it). For a caller that extracts a layer before the image naming it arrives, as a registry does
     * while a blob streams in; the bytes read are not kept (the caller keeps the blob).
     *
     * @throws dev.cairn.model.CorruptArchiveException if the input is not a readable tar (nothing is left of it)
     * @throws dev.cairn.model.UnsafeArchiveException  if an entry would write outside the layer
     */
    public OwnedStaging stageOwned(InputStream tar, LongConsumer progress) throws IOException {
        ensureWritable();
        return new OwnedStaging(writer, writer.stageForImage(tar, progress, false, r -> { }));
    }

    /**
     * Makes a staged diff a layer, atomically. The default id is the one containers/image gives the diff on its parent
     * ({@link LayerId#forDiff}: a base layer's DiffID hex, else {@code sha256(parentId + "+" + diffIdHex)}). If a layer
     * with that id exists already it is returned with {@link AppliedLayer#duplicate()} set and the names asked for
     * added to it ({@link AppliedLayer#addedNames()}); the staging stays for the caller to clean up. If another
     * process is making or deleting a layer of that id, this waits for it (up to the lock timeout).
     *
     * @throws StagingNotFoundException                    if the staging is unknown, or was left unfinished by a
     *                                                     dead process
     * @throws dev.cairn.model.StagingInProgressException  if a live process is still staging it
     * @throws dev.cairn.model.StagingAppliedException     if it was applied already
     * @throws LayerNotFoundException                      if the parent is not a layer
     * @throws NameInUseException                          if a name belongs to another layer
     * @throws DigestMismatchException                     if the spec expects another DiffID
     */
    public AppliedLayer applyStaged(StagingId id, LayerSpec spec) throws IOException {
        ensureWritable();
        return writer.apply(id, spec);
    }

    /**
     * Removes a staging's files, whatever its state but one: a staging still being extracted by a live process. One
     * left unfinished by a dead process is discarded. The files are removed outside the writers' lock.
     *
     * @throws StagingNotFoundException                   if the staging is unknown
     * @throws dev.cairn.model.StagingInProgressException if a live process is still staging it
     */
    public void cleanupStaged(StagingId id) throws IOException {
        ensureWritable();
        writer.cleanup(id);
    }

    /**
     * Stage, apply and clean up in one call: the usual way to import a layer. A missing parent or a name held by
     * another layer is refused before the tarball is read. The staging is cleaned up whether the apply succeeded or
     * not; a duplicate returns the existing layer (with the names asked for added). If the apply fails, that
     * failure is thrown, a failure of the cleanup after it suppressed in it.
     */
    public AppliedLayer put(InputStream tar, LayerSpec spec) throws IOException {
        return put(tar, spec, bytes -> { });
    }

    /** {@link #put(InputStream, LayerSpec)} with progress, as for {@link #stage(InputStream, LongConsumer)}. */
    public AppliedLayer put(InputStream tar, LayerSpec spec, LongConsumer progress) throws IOException {
        ensureWritable();
        return writer.put(tar, spec, progress);
    }

    /**
     * Creates an empty layer (no diff), its contents made outside the writers' lock. Its DiffID is that of an empty
     * tar. The default id is random; a layer with an explicit id that exists already is returned as a duplicate,
     * with the names asked for added.
     */
    public AppliedLayer create(LayerSpec spec) throws IOException {
        ensureWritable();
        return writer.create(spec);
    }

    /**
     * Deletes a layer, named by id or name. From the durable {@code LayerDeleteStarted} on, readers no longer see it;
     * its files are removed (outside the writers' lock) before this returns.
     *
     * @throws LayerHasChildrenException if other layers stand on it (or are being made on it)
     */
    public void delete(String idOrName) throws IOException {
        ensureWritable();
        writer.delete(idOrName);
    }

    // --- names, metadata, flags ----------------------------------------------------------------------------------

    /** Replaces the layer's names. */
    public Layer setNames(String idOrName, List<String> names) throws IOException {
        ensureWritable();
        return writer.setNames(idOrName, names);
    }

    /** Adds names to the layer (those it has already are kept once): one {@code NamesSet}. */
    public Layer addNames(String idOrName, List<String> names) throws IOException {
        return changeNames(idOrName, names, List.of());
    }

    /** Removes names from the layer; names it does not have are ignored: one {@code NamesSet}. */
    public Layer removeNames(String idOrName, List<String> names) throws IOException {
        return changeNames(idOrName, List.of(), names);
    }

    /**
     * Adds and removes names in one journaled change ({@code NamesSet}); a name in both lists ends up removed.
     *
     * @throws NameInUseException if a name to add belongs to another layer; nothing is changed then
     */
    public Layer changeNames(String idOrName, List<String> add, List<String> remove) throws IOException {
        ensureWritable();
        return writer.changeNames(idOrName, add, remove);
    }

    /** Replaces the layer's metadata. */
    public Layer setMetadata(String idOrName, String metadata) throws IOException {
        ensureWritable();
        return writer.setMetadata(idOrName, metadata);
    }

    /** Sets one flag (a JSON value: String, Number, Boolean, List, Map; null removes it). */
    public Layer setFlag(String idOrName, String key, Object value) throws IOException {
        ensureWritable();
        return writer.setFlag(idOrName, key, value);
    }

    // --- queries -------------------------------------------------------------------------------------------------

    /**
     * The layer a reference means: a full id, else a name, else a unique id prefix of at least four hex characters;
     * {@code sha256:<id or prefix>} means an id only. Every method here that takes a layer's {@code idOrName} (and a
     * {@link LayerSpec}'s parent) resolves it so, see {@link LayerIndex#resolve}.
     *
     * @throws LayerNotFoundException                  if there is none
     * @throws dev.cairn.model.AmbiguousLayerException if a prefix matches several layers
     */
    public Layer layer(String idOrName) throws IOException {
        return index().resolve(idOrName);
    }

    /** {@link #layer(String)}, empty when there is none; an ambiguous prefix still throws. */
    public Optional<Layer> findLayer(String idOrName) throws IOException {
        return index().find(idOrName);
    }

    /** Every layer, parents before children. */
    public List<Layer> layers() throws IOException {
        return index().layers();
    }

    /** Layers whose uncompressed tar has this digest (DiffID). */
    public List<Layer> layersByDiffDigest(Digest d) throws IOException {
        return index().layersByDiffDigest(d);
    }

    /** Layers whose bytes as received had this digest. */
    public List<Layer> layersByCompressedDigest(Digest d) throws IOException {
        return index().layersByCompressedDigest(d);
    }

    /** The layers standing directly on this one. */
    public List<Layer> children(String idOrName) throws IOException {
        LayerIndex index = index();
        return index.children(index.resolve(idOrName).id());
    }

    /** Finished stagings that are not yet applied. */
    public List<StagedLayer> staged() throws IOException {
        return index().stagings().stream().filter(s -> s.state() == StagingState.STAGED)
                .map(s -> new StagedLayer(s.id(), s.staged(), s.diffDigest(), s.diffSize(), s.compressedDigest(),
                        s.compressedSize(), s.compression()))
                .toList();
    }

    /**
     * Every staging not yet cleaned up or discarded, in the order they were started, with its state and whether its
     * owner is alive.
     */
    public List<StagingInfo> stagings() throws IOException {
        List<StagingInfo> out = new java.util.ArrayList<>();
        for (dev.cairn.projection.StagingEntry s : index().stagings()) {
            boolean alive = layout.stagingOwnerAlive(s.id());
            StagingInfo.State state = switch (s.state()) {
                case STARTED -> alive ? StagingInfo.State.STAGING : StagingInfo.State.ABANDONED;
                case STAGED -> StagingInfo.State.STAGED;
                case APPLIED -> StagingInfo.State.APPLIED;
            };
            out.add(new StagingInfo(s.id(), state, s.started(), Optional.ofNullable(s.staged()),
                    Optional.ofNullable(s.diffDigest()), s.diffSize(), Optional.ofNullable(s.pendingLayer()),
                    s.ownerPid(), s.ownerHost(), alive));
        }
        out.sort(java.util.Comparator.comparing(StagingInfo::started).thenComparing(i -> i.id().hex()));
        return out;
    }

    /**
     * What the store holds on disk by area, and what {@link #recover()} would remove now: the work of dead
     * processes, orphans, and finished stagings older than {@link StoreOptions#stagingMaxAge()}. Reads only (also on
     * a read-only store); the folders are walked, so it costs the store's size.
     */
    public DiskUsage diskUsage() throws IOException {
        RecoveryPlan plan = recoveryPlan();
        return StoreDiskUsage.of(layout, index(), plan);
    }

    /** The seq of the last journal record folded into what queries see. */
    public long lastSeq() throws IOException {
        return index().seq();
    }

    /**
     * Writes a layer's original uncompressed tar to {@code out}, byte for byte: its sha256 is the layer's
     * {@link Layer#diffDigest()}. Rebuilt from the layer's files and its tar record; every file read is checked
     * against the record (size, sha256) and the whole against the diff digest, and nothing outside the layer's
     * folder is read (no symlink is followed). Does not wait for writers; {@code out} is flushed, not closed.
     *
     * @return the number of bytes written
     * @throws LayerNotFoundException                 if no layer has that id or name
     * @throws dev.cairn.archive.CorruptLayerException if the layer's files or record no longer rebuild its tar; the
     *                                                 message names the layer and the file. Bytes already written
     *                                                 are not taken back: a caller writing to a file removes it.
     */
    public long diff(String idOrName, OutputStream out) throws IOException {
        Layer l = layer(idOrName);
        return TarRecord.reproduce(l.id().toString(), layout.layer(l.id()), l.diffDigest(), out);
    }

    /** Where a layer's extracted entries are, for tools that read them; it must not be changed. */
    public Path contentsOf(String idOrName) throws IOException {
        return layout.layerDiff(layer(idOrName).id());
    }

    // --- checkout and changes -----------------------------------------------------------------------------------

    /** {@link #checkout(String, Path, CheckoutOptions)} with {@link CheckoutOptions#DEFAULTS} (clones or copies). */
    public CheckoutResult checkout(String idOrName, Path dir) throws IOException {
        return checkout(idOrName, dir, CheckoutOptions.DEFAULTS);
    }

    /**
     * Materializes the layer and all its parents, merged with whiteouts applied, into {@code dir}: an empty
     * directory, or a path that does not exist yet in an existing directory. Reads the store only (no lock, no
     * event), so it works on a read-only store; see {@link LayerCheckout} for the contract (what is made as root
     * and as non-root, what is left on failure: nothing).
     *
     * @throws LayerNotFoundException                   if there is no such layer
     * @throws java.nio.file.FileAlreadyExistsException if {@code dir} is a file or a directory that is not empty
     */
    public CheckoutResult checkout(String idOrName, Path dir, CheckoutOptions options) throws IOException {
        return LayerCheckout.checkout(chain(idOrName), dir, options);
    }

    /**
     * What the layer adds ({@code A}), modifies ({@code C}) and deletes ({@code D}) relative to its parent chain,
     * parents first, as {@code podman diff} reports it; see {@link LayerChanges} for the rules.
     *
     * @throws LayerNotFoundException if there is no such layer
     */
    public List<Change> changes(String idOrName) throws IOException {
        List<ChainLayer> chain = chain(idOrName);
        return LayerChanges.of(chain.subList(0, chain.size() - 1), chain.get(chain.size() - 1));
    }

    /** The layer's folders and those of its parents, base layer first. */
    private List<ChainLayer> chain(String idOrName) throws IOException {
        LayerIndex index = index();
        Layer l = index.resolve(idOrName);
        List<Layer> chain = index.chain(l.id()).orElseThrow(() -> new LayerNotFoundException(l.id().hex()));
        return chain.stream().map(c -> new ChainLayer(layout.layerDiff(c.id()), layout.layerManifest(c.id())))
                .toList();
    }

    // --- images ------------------------------------------------------------------------------------------------

    /**
     * Imports an image from an OCI image layout or a docker-archive, as containers/image commits a pulled image into
     * containers/storage: every layer's id is computed from the config's DiffIDs ({@link LayerId#forDiff}); the layers
     * the store lacks are staged all at once (outside the writers' lock, bounded by cores and memory), each blob
     * verified against its digest and size while it is read and each DiffID against the config's
     * {@code rootfs.diff_ids}; those it has are not extracted again; then they are applied in order, each on its parent,
     * and the image record committed, its manifest, config and layer blobs kept as received in the store's blobs
     * (shared with every image holding the same blob). When this returns, all of it is durable.
     *
     * <p>A failure (a blob that does not verify, a DiffID mismatch, a full disk) leaves nothing of the import: no
     * image, no staging, no blob, and no layer beyond those committed before the failure (a mismatch is found before
     * any layer is applied). A process killed at any moment leaves no partial image or layer; the layers it had
     * committed stay and make a retry faster. An image whose id (config digest) the store has already is returned as
     * a {@link ImportedImage#duplicate() duplicate}, with the names asked for added, and nothing is read.
     *
     * @param source   the image, opened ({@link ImageSource#open}); closed by the caller
     * @param progress told the number of blob bytes read so far, from the staging threads
     * @throws DigestMismatchException                  if a blob or a DiffID is not what the image says
     * @throws dev.cairn.model.SizeMismatchException     if a blob is not of its descriptor's size
     * @throws dev.cairn.model.UnsupportedImageException if a config or layer blob is named by a digest other than sha256
     * @throws dev.cairn.model.CorruptArchiveException   if a layer is not a readable tar
     * @throws dev.cairn.model.UnsafeArchiveException    if a layer would write outside itself
     */
    public ImportedImage importImage(ImageSource source, ImageSpec spec, LongConsumer progress) throws IOException {
        ensureWritable();
        return images.importImage(source, spec, progress);
    }

    /**
     * {@link #importImage(ImageSource, ImageSpec, LongConsumer)} where some layers are staged already: {@code staged}
     * maps a layer blob's sha256 (as the manifest names it) to a staging of that blob made by {@link #stageOwned}. A
     * layer the store lacks whose blob has a staging there is applied from it, its DiffID checked against the
     * config's, and its blob is not read (it must be in the store's blobs already, else it is copied from the source);
     * the others are staged from the source as usual. The import owns every staging it applies, as if it had made it
     * (a failure discards it); those it did not need stay the caller's, to close.
     *
     * @throws DigestMismatchException if a staging's DiffID is not the config's for its layer (nothing is applied)
     */
    public ImportedImage importImage(ImageSource source, ImageSpec spec, LongConsumer progress,
                                     java.util.Map<Digest, OwnedStaging> staged) throws IOException {
        ensureWritable();
        return images.importImage(source, spec, progress, staged);
    }

    /**
     * {@link #importImage(ImageSource, ImageSpec, LongConsumer)} of the image a reference names ({@code oci:DIR[:TAG]},
     * {@code docker-archive:FILE[:REF]}), an index resolved for {@code platform}.
     *
     * @throws dev.cairn.model.ImageNotFoundException    if there is no such layout, archive or tag
     * @throws dev.cairn.model.PlatformNotFoundException if an index has no image for the platform
     * @see ImageSource#open
     */
    public ImportedImage importImage(ImageReference reference, Platform platform, ImageSpec spec,
                                     LongConsumer progress) throws IOException {
        ensureWritable();
        try (ImageSource source = ImageSource.open(reference, platform)) {
            return images.importImage(source, spec, progress);
        }
    }

    /** Every image, oldest first. */
    public List<ImageRecord> images() throws IOException {
        return index().images().images();
    }

    /**
     * The image a reference means: its full id, a unique prefix of it (at least 4 hex characters; {@code sha256:}
     * allowed), or one of its names.
     *
     * @throws dev.cairn.model.ImageNotFoundException  if there is none
     * @throws dev.cairn.model.AmbiguousImageException if a prefix matches several; it lists them
     */
    public ImageRecord image(String ref) throws IOException {
        return index().images().resolve(ref);
    }

    /** {@link #image(String)}, empty if there is none (an ambiguous prefix still throws). */
    public Optional<ImageRecord> findImage(String ref) throws IOException {
        try {
            return Optional.of(image(ref));
        } catch (dev.cairn.model.ImageNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The images that stand on a layer (as top layer or below it). */
    public List<ImageRecord> imagesUsing(String layerIdOrName) throws IOException {
        LayerIndex index = index();
        Layer l = index.resolve(layerIdOrName);
        return index.images().imagesUsing(l.id()).stream().map(i -> index.images().image(i))
                .flatMap(Optional::stream).toList();
    }

    /** The image's manifest, the exact bytes received (their sha256 is {@link ImageRecord#manifestDigest()}). */
    public byte[] imageManifest(String ref) throws IOException {
        ImageRecord i = image(ref);
        return readBlob(i.manifestDigest(), "manifest of image " + i.id());
    }

    /** The image's config, the exact bytes received (their sha256 is {@link ImageRecord#configDigest()}). */
    public byte[] imageConfig(String ref) throws IOException {
        ImageRecord i = image(ref);
        return readBlob(i.configDigest(), "config of image " + i.id());
    }

    private byte[] readBlob(Digest digest, String what) throws IOException {
        try (SeekableByteChannel ch = layout.blobs().open(digest);
             InputStream in = java.nio.channels.Channels.newInputStream(ch)) {
            byte[] bytes = in.readAllBytes();
            if (!Digest.sha256(bytes).equals(digest)) {
                throw new DigestMismatchException(what + " (" + layout.blobs().path(digest) + ")", digest,
                        Digest.sha256(bytes));
            }
            return bytes;
        }
    }

    /**
     * A blob the store keeps (a layer's bytes as received, a manifest, a config), if an image or a repository holds
     * it: what a registry serves.
     */
    public Optional<BlobRef> blob(Digest digest) throws IOException {
        if (!index().holdsBlob(digest)) {
            return Optional.empty();
        }
        return layout.blobs().stat(digest);
    }

    /**
     * Opens a blob an image holds for reading, at position 0; the channel reads a consistent blob even if the image is
     * deleted meanwhile.
     *
     * @throws dev.cairn.model.BlobNotFoundException if no image or repository holds it
     */
    public SeekableByteChannel openBlob(Digest digest) throws IOException {
        if (!index().holdsBlob(digest)) {
            throw new dev.cairn.model.BlobNotFoundException(digest.toString(), "no image in the store holds it");
        }
        return layout.blobs().open(digest);
    }

    /** The repositories of a registry served from this store: uploads, blobs, manifests and tags as journal events. */
    public Repositories repositories() {
        return repositories;
    }

    /**
     * Replaces an image's names; a name another image has moves to this one (journaled as an {@code ImageNamesSet}
     * of each), as containers/storage moves image names.
     */
    public ImageRecord setImageNames(String ref, List<String> names) throws IOException {
        ensureWritable();
        return images.setNames(ref, names);
    }

    /** Adds and removes names of an image in one journaled batch; names added move from any image that had them. */
    public ImageRecord changeImageNames(String ref, List<String> add, List<String> remove) throws IOException {
        ensureWritable();
        return images.changeNames(ref, add, remove);
    }

    /**
     * Deletes an image. From the durable {@code ImageDeleteStarted} on, readers no longer see it and its names are
     * free; the blobs only it held are removed before this returns. Its layers stay until they are deleted (a layer
     * no image uses any more can be).
     *
     * @return the image deleted
     * @throws dev.cairn.model.ImageNotFoundException  if there is none
     * @throws dev.cairn.model.AmbiguousImageException if an id prefix matches several
     */
    public ImageRecord deleteImage(String ref) throws IOException {
        ensureWritable();
        return images.delete(ref);
    }

    /**
     * Writes an image to an OCI image layout ({@code oci:DIR[:TAG]}: added to the layout, tagged TAG) or a
     * docker-archive ({@code docker-archive:FILE[:REF]}: FILE replaced atomically, REF its RepoTags), from its kept
     * manifest, config and blobs: an OCI export has the manifest digest and blob digests of the import. Layers whose
     * blob was their uncompressed tar (a docker-archive's) are rebuilt byte for byte from the layer. Reads only; works
     * on a read-only store.
     *
     * @param progress told the number of layer bytes written so far
     * @throws dev.cairn.model.ImageNotFoundException if there is no such image
     * @throws IllegalArgumentException              if the destination names a position ({@code :@N})
     */
    public void exportImage(String ref, ImageReference destination, LongConsumer progress) throws IOException {
        LayerIndex index = index();
        ImageExporter.export(index.images().resolve(ref), destination, index, layout, progress);
    }

    // --- the journal as audit trail and time machine -------------------------------------------------------------

    /**
     * The journal's records from {@code fromSeq} on, as they stand now. Close the stream (try-with-resources).
     */
    public Stream<JournalRecord> history(long fromSeq) throws IOException {
        ensureOpen();
        return RecordStream.of(journal.read(Math.max(1, fromSeq)));
    }

    /**
     * The journal's records from {@code fromSeq} on, the history first and then live: every record once, in seq
     * order, with no gap — also as other processes append and across the journal's cycle files — each handed out
     * once it is durable. {@code fromSeq} may be {@link #lastSeq()} + 1 for only what comes next. Close it when done
     * (it holds a journal cursor); once the store is closed it fails with an {@link IOException}.
     *
     * <pre>{@code
     * try (RecordSubscription s = store.subscribe(store.lastSeq() + 1)) {
     *     while (running) {
     *         JournalRecord r = s.next(Duration.ofSeconds(1));   // null: nothing new within the second
     *         if (r != null) { ... }
     *     }
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code fromSeq} is below 1 or past the next record's seq
     */
    public RecordSubscription subscribe(long fromSeq) throws IOException {
        ensureOpen();
        return RecordSubscription.from(journal, fromSeq);
    }

    /**
     * The seq of the last record appended at or before {@code time}, 0 if there is none: the point in the journal
     * that a time names (for {@link #layersAsOf(long)} and {@link #changesBetween}). Bisects the seqs, reading about
     * log2({@link #lastSeq()}) records. Records carry the clock of the process that committed them: while it never
     * went back, this is the largest seq stamped at or before {@code time}; after a clock stepped back, a time the
     * stamps went over twice names the end of one of the two passes (docs/STORE.md "Points in time").
     */
    public long seqAt(Instant time) throws IOException {
        ensureOpen();
        return IndexChanges.seqAt(journal, time);
    }

    /**
     * The life of one layer, deleted ones too: every record about it and about the stagings it was applied from, in
     * journal order. {@code ref} is a current layer's id or name, any well-formed id, or a name the layer had.
     *
     * @throws LayerNotFoundException if no layer ever had that id or name
     */
    public List<JournalRecord> layerHistory(String ref) throws IOException {
        ensureOpen();
        return LayerHistory.of(journal, layerIdEver(ref));
    }

    /** The id {@link #layerHistory} means by {@code ref}. */
    public LayerId layerIdEver(String ref) throws IOException {
        return LayerHistory.resolve(journal, index(), ref);
    }

    /**
     * The life of one image, deleted and rolled-back ones too: its own records in journal order (created, committed,
     * names set, delete started, deleted or rolled back). {@code ref} is a current image's id, name or unique id
     * prefix; else any well-formed id; else the last image that had that name.
     *
     * @throws dev.cairn.model.ImageNotFoundException if no image ever had that id or name
     */
    public List<JournalRecord> imageHistory(String ref) throws IOException {
        ensureOpen();
        return ImageHistory.of(journal, imageIdEver(ref));
    }

    /** The id {@link #imageHistory} means by {@code ref}. */
    public dev.cairn.model.ImageId imageIdEver(String ref) throws IOException {
        return ImageHistory.resolve(journal, index(), ref);
    }

    /**
     * The committed images as they were right after record {@code seq}, oldest first.
     *
     * @throws IllegalArgumentException if {@code seq} is beyond the journal's end
     */
    public List<ImageRecord> imagesAsOf(long seq) throws IOException {
        return indexAsOf(seq).images().images();
    }

    /** The committed images as they were at {@code time}: {@link #imagesAsOf(long)} of {@link #seqAt(Instant)}. */
    public List<ImageRecord> imagesAsOf(Instant time) throws IOException {
        return imagesAsOf(seqAt(time));
    }

    /**
     * The layers as they were right after record {@code seq}: the fold of the journal stopped there.
     *
     * @throws IllegalArgumentException if {@code seq} is beyond the journal's end
     */
    public List<Layer> layersAsOf(long seq) throws IOException {
        return indexAsOf(seq).layers();
    }

    /** The layers as they were at {@code time}: {@link #layersAsOf(long)} of {@link #seqAt(Instant)}. */
    public List<Layer> layersAsOf(Instant time) throws IOException {
        return layersAsOf(seqAt(time));
    }

    /**
     * What changed in the index from right after record {@code fromSeq} to right after record {@code toSeq}: layers
     * and images added, removed and renamed, stagings whose state changed (see {@link IndexChanges}). The basic step
     * of debugging by replay: bisect with it to the record where things went wrong, then read that record in
     * {@link #history}.
     *
     * @throws IllegalArgumentException if a seq is outside the journal, or {@code fromSeq > toSeq}
     */
    public IndexChanges changesBetween(long fromSeq, long toSeq) throws IOException {
        ensureOpen();
        return IndexChanges.between(journal, fromSeq, toSeq);
    }

    /** {@link #changesBetween(long, long)} of the points two times name ({@link #seqAt(Instant)}). */
    public IndexChanges changesBetween(Instant from, Instant to) throws IOException {
        return changesBetween(seqAt(from), seqAt(to));
    }

    // --- retention: archiving old journal records (docs/JOURNAL.md, "Archiving") ------------------------------------

    /**
     * Moves the journal's oldest records — the whole cycle files (one per UTC day) whose records all come before
     * {@code beforeSeq}, never the last one — into the archive file {@code to}: compressed, self-verifying, fsynced
     * and read back, journaled as {@code JournalArchived}, and removed from the journal only then, and only with an index
     * snapshot covering the last archived record (one is written first if none does). The report says where the
     * archive actually ends. With {@code dryRun} nothing is done. An archive interrupted by a crash is finished by
     * running it again with the same file. See {@link JournalArchiver}.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code to} exists and is not that interrupted archive
     * @throws IOException if there is nothing to archive before {@code beforeSeq}, or snapshots are disabled and none
     *                     covers the cut; nothing is changed then
     */
    public ArchiveReport archiveJournal(long beforeSeq, Path to, boolean dryRun) throws IOException {
        if (!dryRun) {
            ensureWritable();
        }
        ensureOpen();
        return JournalArchiver.archive(layout, options, chronicle(), live, writer, beforeSeq, to, dryRun);
    }

    /**
     * This store reading the records before its journal's first kept one from {@code archives} (any order; they
     * must join one another and the journal): a cheap view, as {@link #as(Caller)}, whose {@link #history},
     * {@link #layerHistory}, {@link #layersAsOf}, {@link #changesBetween} and the rest of the time machine reach back
     * to seq 1. Each archive is read and checked whole when a query needs it. With no archives, this store.
     */
    public LayerStore withArchives(List<Path> archives) throws IOException {
        ensureOpen();
        if (archives.isEmpty()) {
            return this;
        }
        return new LayerStore(this, options, ArchiveChain.journal(archives, chronicle()));
    }

    /** The records archived from this store's journal, if any: where they are and where the journal begins now. */
    public Optional<ArchivedRecords> archivedRecords() throws IOException {
        ensureOpen();
        Optional<ChronicleJournal> queue = ChronicleJournal.behind(owner.journal);
        Optional<ArchivedPrefix> prefix = queue.isPresent() ? queue.get().archivedPrefix() : Optional.empty();
        return prefix.map(p -> new ArchivedRecords(p.lastSeq(), p.lastHash(), p.archive(), p.archiveSha256()));
    }

    /**
     * Checks {@code archives} and the live journal as one history from seq 1: every archive whole (checksums, the
     * content's sha256, every record's checksum, seq and chain), that they join one another and the journal's first
     * kept record, and that the Merkle root over all records is the one the store's tree file has.
     *
     * @throws IOException naming the archive (or record) that fails, and why
     */
    public ArchiveVerifyReport verifyArchives(List<Path> archives) throws IOException {
        ensureOpen();
        return JournalArchiver.verify(layout, chronicle(), archives);
    }

    private ChronicleJournal chronicle() throws IOException {
        return ChronicleJournal.behind(owner.journal).orElseThrow(
                () -> new IOException("this store's journal (" + journal + ") cannot be archived"));
    }

    LayerIndex indexAsOf(long seq) throws IOException {
        ensureOpen();
        return Replay.asOf(journal, seq);
    }

    /** The seq of the index snapshot this store's index started from, 0 if it was folded from seq 1; for tests. */
    long startedFrom() {
        return startedFrom;
    }

    /** The live index, for tests that compare it with the fold from seq 1. */
    LayerIndex liveIndex() throws IOException {
        return live.catchUp();
    }

    /**
     * Verifies the journal end to end (checksums, seq, chain), that every layer has its folder, and with
     * {@code deep} that every layer's contents still match its manifest (types, sizes, content digests) and still
     * rebuild its original tar, whose sha256 must be the layer's diff digest (see {@link #diff}). Also reports what
     * recovery would do ({@link StoreVerifyReport#pendingRecovery()}).
     *
     * @throws dev.cairn.model.JournalCorruptedException at the first damaged record
     */
    public StoreVerifyReport verify(boolean deep) throws IOException {
        return verify(deep, ProgressListener.NONE);
    }

    /**
     * {@link #verify(boolean)}, telling {@code progress} after each layer rehashed: the bytes of the layers' diffs
     * checked so far and in all ({@code deep} only).
     */
    public StoreVerifyReport verify(boolean deep, ProgressListener progress) throws IOException {
        RecoveryPlan plan = recoveryPlan();
        return StoreVerifier.verify(journal, index(), layout, deep, plan, progress);
    }

    // --- internals -----------------------------------------------------------------------------------------------

    private LayerIndex index() throws IOException {
        ensureOpen();
        return live.tryCatchUp();
    }

    private void ensureWritable() throws IOException {
        ensureOpen();
        if (lock == null) {
            throw new ReadOnlyStoreException(layout.root().toString());
        }
    }

    private void ensureOpen() throws StoreClosedException {
        if (owner.closed) {
            throw new StoreClosedException(layout.root().toString());
        }
    }

    private static void closeQuietly(AutoCloseable c, Exception into) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            into.addSuppressed(e);
        }
    }

    /**
     * Writes a last index snapshot if the policy says so ({@link SnapshotPolicy#onCloseRecords()}), then releases the
     * journal and the lock file. Idempotent. Does nothing on an {@link #as(Caller)} view.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed || owner != this) {
            return;
        }
        closed = true;
        if (snapshots != null) {
            snapshots.close();
        }
        live.close();
        try {
            journal.close();
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }
}
