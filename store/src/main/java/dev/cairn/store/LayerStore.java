package dev.cairn.store;

import dev.cairn.archive.ChainLayer;
import dev.cairn.archive.CorruptLayerException;
import dev.cairn.archive.CorruptManifestException;
import dev.cairn.archive.EmptyLayer;
import dev.cairn.archive.ExtractOptions;
import dev.cairn.archive.ExtractResult;
import dev.cairn.archive.LayerChanges;
import dev.cairn.archive.LayerCheckout;
import dev.cairn.archive.LayerExtractor;
import dev.cairn.archive.ManifestVerifier;
import dev.cairn.archive.TarRecord;
import dev.cairn.journal.ChronicleJournal;
import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.journal.JournalRepair;
import dev.cairn.journal.VerifyReport;
import dev.cairn.model.Actor;
import dev.cairn.model.CairnException;
import dev.cairn.model.Change;
import dev.cairn.model.CheckoutOptions;
import dev.cairn.model.CheckoutResult;
import dev.cairn.model.Digest;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.Layer;
import dev.cairn.model.LayerHasChildrenException;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNames;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.model.LayerState;
import dev.cairn.model.NameInUseException;
import dev.cairn.model.ReadOnlyStoreException;
import dev.cairn.model.StagingId;
import dev.cairn.model.StagingNotFoundException;
import dev.cairn.model.StoreClosedException;
import dev.cairn.model.StoreNotFoundException;
import dev.cairn.projection.LayerEntry;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.LiveIndex;
import dev.cairn.projection.StagingEntry;
import dev.cairn.projection.StagingState;
import dev.cairn.recovery.Recovery;
import dev.cairn.recovery.RecoveryReport;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.io.DurableFiles;
import dev.cairn.store.internal.StoreLayout;
import dev.cairn.store.internal.StoreLock;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A store of container-image layers: the public face of Cairn.
 *
 * <h2>Lifecycle of a layer</h2>
 * {@link #stage} extracts and hashes a tarball outside any lock (several run in parallel, also across processes);
 * {@link #applyStaged} makes the layer exist atomically under the writers' lock; {@link #cleanupStaged} removes what
 * is left of the staging. {@link #put} does all three. Every step is journaled before and after its work
 * (DESIGN.md section 3), and {@link #open} runs recovery, so a crash at any instant never leaves a half-made layer
 * visible and never loses one whose method returned.
 *
 * <h2>Readers and writers</h2>
 * Queries answer from an immutable index and never wait for a writer. Writes take the store's lock only for their
 * short critical section; another process's writes are seen by the next query. A store opened
 * {@linkplain #openReadOnly read-only} never takes the lock and never changes anything.
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
    private final RecoveryReport recovery;
    private final boolean writable;
    private volatile boolean closed;

    private LayerStore(StoreLayout layout, StoreOptions options, Journal journal, LiveIndex live, StoreLock lock,
                       boolean recover) throws IOException {
        this.layout = layout;
        this.options = options;
        this.journal = journal;
        this.live = live;
        this.lock = lock;
        this.writable = recover;
        if (recover) {
            try (StoreLock.Hold h = lock.acquire(options.lockTimeout())) {
                this.recovery = Recovery.run(journal, live, layout, options.actor(), Instant.now(),
                        options.stagingMaxAge());
            }
        } else {
            this.recovery = new RecoveryReport(List.of());
        }
    }

    /** Opens (creating if needed) the store at {@code root} with the default options, and recovers it. */
    public static LayerStore open(Path root) throws IOException {
        return open(root, StoreOptions.defaults());
    }

    /**
     * Opens (creating if needed) the store at {@code root} and runs recovery under the writers' lock.
     *
     * @throws dev.cairn.model.JournalCorruptedException if the journal fails verification
     * @throws dev.cairn.model.StoreLockedException      if another writer held the lock past the timeout
     */
    public static LayerStore open(Path root, StoreOptions options) throws IOException {
        return open(root, options, true);
    }

    /**
     * Opens the store at {@code root} for queries only: no recovery, no lock, nothing created or changed.
     * Unfinished work of a
     * crashed writer stays invisible, as always, until a writer opens the store. Every change throws
     * {@link ReadOnlyStoreException}.
     *
     * @throws StoreNotFoundException if there is no store at {@code root}
     */
    public static LayerStore openReadOnly(Path root, StoreOptions options) throws IOException {
        return open(root, options, false);
    }

    private static LayerStore open(Path root, StoreOptions options, boolean writable) throws IOException {
        StoreLayout layout = new StoreLayout(root.toAbsolutePath().normalize());
        if (writable) {
            layout.create();
        } else if (!layout.exists()) {
            throw new StoreNotFoundException(layout.root().toString());
        }
        // Read-only writes nothing, so it also works where this process may not write, or on a read-only mount.
        Journal journal = writable ? ChronicleJournal.open(layout.journal())
                : ChronicleJournal.openReadOnly(layout.journal());
        LiveIndex live = null;
        StoreLock lock = null;
        try {
            live = LiveIndex.follow(journal, LayerIndex.empty());
            lock = writable ? new StoreLock(layout.lockFile()) : null;
            return new LayerStore(layout, options, journal, live, lock, writable);
        } catch (IOException | RuntimeException e) {
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
        StoreLayout layout = new StoreLayout(root.toAbsolutePath().normalize());
        if (!layout.exists() && !JournalRepair.interrupted(layout.journal())) {
            throw new StoreNotFoundException(layout.root().toString());
        }
        JournalRepair.Result result;
        try (StoreLock lock = new StoreLock(layout.lockFile());
             StoreLock.Hold h = lock.acquire(options.lockTimeout())) {
            result = JournalRepair.repair(layout.journal(), options.actor());
        }
        try (LayerStore store = result.changed() ? open(layout.root(), options)
                : openReadOnly(layout.root(), options)) {
            return new StoreRepairReport(result.changed(), result.lastGoodSeq(), result.lostRecords(),
                    result.damage(), result.backup(), store.recoveryReport().actions(), store.verify(false));
        }
    }

    /** The root folder. */
    public Path root() {
        return layout.root();
    }

    /** What recovery did when this store was opened. */
    public RecoveryReport recoveryReport() {
        return recovery;
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
     * @throws dev.cairn.model.CorruptArchiveException if the input is not a readable tar
     * @throws dev.cairn.model.UnsafeArchiveException  if an entry would write outside the layer
     */
    public StagedLayer stage(InputStream tar, LongConsumer progress) throws IOException {
        StagingId id = StagingId.random();
        try (StoreLock.Hold h = writeLock()) {
            layout.claimStaging(id);
            try {
                append(new Event.StagingStarted(id, options.actor().pid(), options.actor().host()));
            } catch (IOException | RuntimeException e) {
                DurableFiles.removeTree(layout.stagingFolder(id));
                throw e;
            }
        }
        FaultPoints.reach(FaultPoints.STAGING_STARTED);
        try {
            Files.createDirectory(layout.stagedContents(id));
            Files.createDirectory(layout.stagedDiff(id));
            ExtractResult r = LayerExtractor.extract(tar, layout.stagedDiff(id), layout.stagedManifest(id),
                    extractOptions(progress));
            DurableFiles.syncDir(layout.stagedContents(id));
            DurableFiles.syncDir(layout.stagingFolder(id));
            FaultPoints.reach(FaultPoints.STAGING_EXTRACTED);
            JournalRecord rec = append(new Event.DiffStaged(id, r.diffDigest(), r.diffSize(), r.compressedDigest(),
                    r.compressedSize(), r.compression()));
            FaultPoints.reach(FaultPoints.STAGING_STAGED);
            return new StagedLayer(id, rec.time(), r.diffDigest(), r.diffSize(), r.compressedDigest(),
                    r.compressedSize(), r.compression());
        } catch (IOException | RuntimeException e) {
            discardFailedStaging(id, e);
            throw e;
        } finally {
            layout.releaseOwnership(id);
        }
    }

    private void discardFailedStaging(StagingId id, Exception cause) {
        try (StoreLock.Hold h = writeLock()) {
            layout.removeStagingDurably(id);
            append(new Event.StagingDiscarded(id, "staging failed: " + oneLine(cause)));
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Makes a staged diff a layer, atomically under the writers' lock. The default id is the OCI chain id of the
     * diff on its parent. If a layer with that id exists already it is returned unchanged with
     * {@link AppliedLayer#duplicate()} set, and the staging stays for the caller to clean up.
     *
     * @throws StagingNotFoundException  if the staging is unknown, unfinished or already applied
     * @throws LayerNotFoundException    if the parent is not a layer
     * @throws NameInUseException        if a name belongs to another layer
     * @throws DigestMismatchException   if the spec expects another DiffID
     */
    public AppliedLayer applyStaged(StagingId id, LayerSpec spec) throws IOException {
        try (StoreLock.Hold h = writeLock()) {
            LayerIndex index = live.current();
            StagingEntry s = index.staging(id).orElseThrow(() -> new StagingNotFoundException(id,
                    "not known (never staged, discarded or cleaned up)"));
            if (s.state() == StagingState.STARTED) {
                throw new StagingNotFoundException(id, "still being staged by process " + s.ownerPid());
            }
            if (s.state() == StagingState.APPLIED) {
                throw new StagingNotFoundException(id, "already applied as layer " + s.pendingLayer());
            }
            if (spec.expectedDiffId().isPresent() && !spec.expectedDiffId().get().equals(s.diffDigest())) {
                throw new DigestMismatchException("staging " + id + " DiffID", spec.expectedDiffId().get(),
                        s.diffDigest());
            }
            Optional<LayerId> parent = resolveParent(index, spec);
            LayerId layerId = spec.id().orElseGet(() -> LayerId.chainId(parent, s.diffDigest()));
            Optional<Layer> existing = index.layer(layerId);
            if (existing.isPresent()) {
                return new AppliedLayer(existing.get(), true);
            }
            checkNamesFree(index, spec.names(), layerId);
            append(new Event.LayerCreated(layerId, parent.orElse(null), spec.names(), id, spec.metadata()));
            try {
                FaultPoints.reach(FaultPoints.LAYER_CREATED);
                layout.moveStagedIntoLayer(id, layerId);
                FaultPoints.reach(FaultPoints.LAYER_MOVED);
                append(new Event.LayerCommitted(layerId, s.diffDigest(), s.diffSize(), s.compressedDigest(),
                        s.compressedSize(), s.compression()));
                FaultPoints.reach(FaultPoints.LAYER_COMMITTED);
            } catch (IOException | RuntimeException e) {
                rollBackUnfinished(e);
                throw e;
            }
            return new AppliedLayer(visible(layerId), false);
        }
    }

    /**
     * Removes a staging's files, whatever its state but one: a staging still being extracted by a live process.
     *
     * @throws StagingNotFoundException if the staging is unknown or still being staged
     */
    public void cleanupStaged(StagingId id) throws IOException {
        try (StoreLock.Hold h = writeLock()) {
            StagingEntry s = live.current().staging(id).orElseThrow(() -> new StagingNotFoundException(id,
                    "not known (never staged, discarded or cleaned up)"));
            if (s.state() == StagingState.STARTED) {
                if (layout.stagingOwnerAlive(id)) {
                    throw new StagingNotFoundException(id, "still being staged by process " + s.ownerPid());
                }
                layout.removeStagingDurably(id);
                append(new Event.StagingDiscarded(id, "cleaned up after its owner process ended"));
                return;
            }
            layout.removeStagingDurably(id);
            append(new Event.StagingCleaned(id));
            FaultPoints.reach(FaultPoints.STAGING_CLEANED);
        }
    }

    /**
     * Stage, apply and clean up in one call: the usual way to import a layer. The staging is cleaned up whether
     * the apply succeeded or not; a duplicate returns the existing layer.
     */
    public AppliedLayer put(InputStream tar, LayerSpec spec) throws IOException {
        return put(tar, spec, bytes -> { });
    }

    /** {@link #put(InputStream, LayerSpec)} with progress, as for {@link #stage(InputStream, LongConsumer)}. */
    public AppliedLayer put(InputStream tar, LayerSpec spec, LongConsumer progress) throws IOException {
        StagedLayer staged = stage(tar, progress);
        try {
            return applyStaged(staged.id(), spec);
        } finally {
            cleanupStaged(staged.id());
        }
    }

    /**
     * Creates an empty layer (no diff). Its DiffID is that of an empty tar. The default id is random; a layer with
     * an explicit id that exists already is returned as a duplicate.
     */
    public AppliedLayer create(LayerSpec spec) throws IOException {
        try (StoreLock.Hold h = writeLock()) {
            LayerIndex index = live.current();
            if (spec.expectedDiffId().isPresent() && !spec.expectedDiffId().get().equals(EmptyLayer.DIFF_DIGEST)) {
                throw new DigestMismatchException("empty layer DiffID", spec.expectedDiffId().get(),
                        EmptyLayer.DIFF_DIGEST);
            }
            Optional<LayerId> parent = resolveParent(index, spec);
            LayerId layerId = spec.id().orElseGet(LayerId::random);
            Optional<Layer> existing = index.layer(layerId);
            if (existing.isPresent()) {
                return new AppliedLayer(existing.get(), true);
            }
            checkNamesFree(index, spec.names(), layerId);
            append(new Event.LayerCreated(layerId, parent.orElse(null), spec.names(), null, spec.metadata()));
            try {
                FaultPoints.reach(FaultPoints.LAYER_CREATED);
                DurableFiles.mkdirDurable(layout.layer(layerId));
                DurableFiles.mkdirDurable(layout.layerDiff(layerId));
                LayerExtractor.extract(new java.io.ByteArrayInputStream(EmptyLayer.tar()), layout.layerDiff(layerId),
                        layout.layerManifest(layerId), extractOptions(bytes -> { }));
                DurableFiles.syncDir(layout.layer(layerId));
                FaultPoints.reach(FaultPoints.LAYER_MOVED);
                append(new Event.LayerCommitted(layerId, EmptyLayer.DIFF_DIGEST, EmptyLayer.DIFF_SIZE, null, null,
                        null));
                FaultPoints.reach(FaultPoints.LAYER_COMMITTED);
            } catch (IOException | RuntimeException e) {
                rollBackUnfinished(e);
                throw e;
            }
            return new AppliedLayer(visible(layerId), false);
        }
    }

    /**
     * Deletes a layer, named by id or name. From the durable {@code LayerDeleteStarted} on, readers no longer see it;
     * its files are removed before this returns.
     *
     * @throws LayerHasChildrenException if other layers stand on it
     */
    public void delete(String idOrName) throws IOException {
        try (StoreLock.Hold h = writeLock()) {
            LayerIndex index = live.current();
            Layer l = index.layer(idOrName).orElseThrow(() -> new LayerNotFoundException(idOrName));
            List<LayerId> children = index.childIds(l.id());
            if (!children.isEmpty()) {
                throw new LayerHasChildrenException(l.id(), children);
            }
            append(new Event.LayerDeleteStarted(l.id()));
            FaultPoints.reach(FaultPoints.DELETE_STARTED);
            layout.removeLayerDurably(l.id());
            append(new Event.LayerDeleted(l.id()));
            FaultPoints.reach(FaultPoints.LAYER_DELETED);
        }
    }

    // --- names, metadata, flags ----------------------------------------------------------------------------------

    /** Replaces the layer's names. */
    public Layer setNames(String idOrName, List<String> names) throws IOException {
        List<String> checked = LayerNames.checkAll(names);
        try (StoreLock.Hold h = writeLock()) {
            Layer l = requireLayer(idOrName);
            checkNamesFree(live.current(), checked, l.id());
            append(new Event.NamesSet(l.id(), checked));
            FaultPoints.reach(FaultPoints.NAMES_SET);
            return visible(l.id());
        }
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
        List<String> added = LayerNames.checkAll(add);
        try (StoreLock.Hold h = writeLock()) {
            Layer l = requireLayer(idOrName);
            LinkedHashSet<String> all = new LinkedHashSet<>(l.names());
            all.addAll(added);
            all.removeAll(remove);
            List<String> result = List.copyOf(all);
            checkNamesFree(live.current(), result, l.id());
            append(new Event.NamesSet(l.id(), result));
            FaultPoints.reach(FaultPoints.NAMES_SET);
            return visible(l.id());
        }
    }

    /** Replaces the layer's metadata. */
    public Layer setMetadata(String idOrName, String metadata) throws IOException {
        try (StoreLock.Hold h = writeLock()) {
            Layer l = requireLayer(idOrName);
            append(new Event.MetadataSet(l.id(), metadata));
            return visible(l.id());
        }
    }

    /** Sets one flag (a JSON value: String, Number, Boolean, List, Map; null removes it). */
    public Layer setFlag(String idOrName, String key, Object value) throws IOException {
        try (StoreLock.Hold h = writeLock()) {
            Layer l = requireLayer(idOrName);
            Map<String, Object> flags = new LinkedHashMap<>(l.flags());
            if (value == null) {
                flags.remove(key);
            } else {
                flags.put(key, value);
            }
            append(new Event.FlagsSet(l.id(), flags));
            return visible(l.id());
        }
    }

    // --- queries -------------------------------------------------------------------------------------------------

    /**
     * The layer with this id or, failing that, this name.
     *
     * @throws LayerNotFoundException if there is none
     */
    public Layer layer(String idOrName) throws IOException {
        return findLayer(idOrName).orElseThrow(() -> new LayerNotFoundException(idOrName));
    }

    /** The layer with this id or, failing that, this name, if there is one. */
    public Optional<Layer> findLayer(String idOrName) throws IOException {
        return index().layer(idOrName);
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
        Layer l = index.layer(idOrName).orElseThrow(() -> new LayerNotFoundException(idOrName));
        return index.children(l.id());
    }

    /** Finished stagings that are not yet applied. */
    public List<StagedLayer> staged() throws IOException {
        return index().stagings().stream().filter(s -> s.state() == StagingState.STAGED)
                .map(s -> new StagedLayer(s.id(), s.staged(), s.diffDigest(), s.diffSize(), s.compressedDigest(),
                        s.compressedSize(), s.compression()))
                .toList();
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
        Layer l = index.layer(idOrName).orElseThrow(() -> new LayerNotFoundException(idOrName));
        ArrayDeque<ChainLayer> chain = new ArrayDeque<>();
        while (true) {
            chain.addFirst(new ChainLayer(layout.layerDiff(l.id()), layout.layerManifest(l.id())));
            if (l.parent().isEmpty()) {
                return List.copyOf(chain);
            }
            LayerId parent = l.parent().get();
            l = index.layer(parent).orElseThrow(() -> new LayerNotFoundException(parent.hex()));
        }
    }

    // --- the journal as audit trail and time machine -------------------------------------------------------------

    /**
     * The journal's records from {@code fromSeq} on, as they stand now. Close the stream (try-with-resources).
     */
    public Stream<JournalRecord> history(long fromSeq) throws IOException {
        ensureOpen();
        JournalCursor cursor = journal.read(Math.max(1, fromSeq));
        Spliterator<JournalRecord> it = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL) {
            @Override
            public boolean tryAdvance(java.util.function.Consumer<? super JournalRecord> action) {
                try {
                    JournalRecord r = cursor.next();
                    if (r == null) {
                        return false;
                    }
                    action.accept(r);
                    return true;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        return StreamSupport.stream(it, false).onClose(cursor::close);
    }

    /**
     * The layers as they were right after record {@code seq}: the fold of the journal stopped there.
     *
     * @throws IllegalArgumentException if {@code seq} is beyond the journal's end
     */
    public List<Layer> layersAsOf(long seq) throws IOException {
        return indexAsOf(seq).layers();
    }

    LayerIndex indexAsOf(long seq) throws IOException {
        long last = journal.lastSeq();
        if (seq < 0 || seq > last) {
            throw new IllegalArgumentException("seq " + seq + " is not in the journal (it ends at " + last + ")");
        }
        LayerIndex index = LayerIndex.empty();
        try (JournalCursor cursor = journal.read(1)) {
            while (index.seq() < seq) {
                JournalRecord r = cursor.next();
                if (r == null) {
                    throw new IOException("journal ended at seq " + index.seq() + " before seq " + seq);
                }
                index = index.apply(r);
            }
        }
        return index;
    }

    /** The live index, for tests that compare it with the fold from seq 1. */
    LayerIndex liveIndex() throws IOException {
        return live.catchUp();
    }

    /**
     * Verifies the journal end to end (checksums, seq, chain), that every layer has its folder, and with
     * {@code deep} that every layer's contents still match its manifest (types, sizes, content digests) and still
     * rebuild its original tar, whose sha256 must be the layer's diff digest (see {@link #diff}).
     *
     * @throws dev.cairn.model.JournalCorruptedException at the first damaged record
     */
    public StoreVerifyReport verify(boolean deep) throws IOException {
        ensureOpen();
        VerifyReport journalReport = journal.verify();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Layer l : index().layers()) {
            if (!layout.layerFolderExists(l.id())) {
                problems.add("layer " + l.id() + ": folder " + layout.layer(l.id()) + " is missing");
                continue;
            }
            if (deep) {
                // One layer's damage is reported and the others are still checked: an operator wants the list.
                try {
                    for (ManifestVerifier.Problem p : ManifestVerifier.verify(layout.layerDiff(l.id()),
                            layout.layerManifest(l.id()))) {
                        problems.add("layer " + l.id() + ": " + p);
                    }
                } catch (CorruptManifestException e) {
                    problems.add("layer " + l.id() + ": " + e.getMessage());
                }
                try {
                    TarRecord.reproduce(l.id().toString(), layout.layer(l.id()), l.diffDigest(),
                            OutputStream.nullOutputStream());
                } catch (CorruptLayerException e) {
                    problems.add(e.getMessage());
                }
                checked++;
            }
        }
        return new StoreVerifyReport(journalReport.records(), journalReport.lastSeq(), journalReport.lastHash(),
                checked, problems);
    }

    // --- internals -----------------------------------------------------------------------------------------------

    private LayerIndex index() throws IOException {
        ensureOpen();
        return live.tryCatchUp();
    }

    /**
     * Takes the writers' lock, catches the index up with every process's records, and finishes any layer saga a
     * dead writer left: under the lock no live writer is inside a critical section, so an unfinished layer is
     * always a dead one.
     */
    private StoreLock.Hold writeLock() throws IOException {
        ensureOpen();
        if (!writable) {
            throw new ReadOnlyStoreException(layout.root().toString());
        }
        StoreLock.Hold hold = lock.acquire(options.lockTimeout());
        try {
            LayerIndex index = live.catchUp();
            if (hasUnfinishedLayers(index)) {
                Recovery.finishLayerSagas(journal, live, layout, options.actor());
            }
            return hold;
        } catch (IOException | RuntimeException e) {
            hold.close();
            throw e;
        }
    }

    private ExtractOptions extractOptions(LongConsumer progress) {
        return ExtractOptions.DEFAULTS.toBuilder().syncfs(options.syncfs()).unsafeNoSync(options.unsafeNoSync())
                .progress(progress).build();
    }

    private static boolean hasUnfinishedLayers(LayerIndex index) {
        return index.entries().stream().anyMatch(l -> l.state() != LayerState.COMMITTED);
    }

    private void rollBackUnfinished(Exception cause) {
        try {
            Recovery.finishLayerSagas(journal, live, layout, options.actor());
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private JournalRecord append(Event e) throws IOException {
        JournalRecord r = journal.append(e, options.actor());
        live.catchUpTo(r.seq());
        return r;
    }

    private Layer requireLayer(String idOrName) throws LayerNotFoundException {
        return live.current().layer(idOrName).orElseThrow(() -> new LayerNotFoundException(idOrName));
    }

    private Layer visible(LayerId id) throws LayerNotFoundException {
        return live.current().layer(id).orElseThrow(() -> new LayerNotFoundException(id.hex()));
    }

    private static Optional<LayerId> resolveParent(LayerIndex index, LayerSpec spec) throws LayerNotFoundException {
        if (spec.parent().isEmpty()) {
            return Optional.empty();
        }
        String p = spec.parent().get();
        return Optional.of(index.layer(p).orElseThrow(() -> new LayerNotFoundException(p)).id());
    }

    private static void checkNamesFree(LayerIndex index, List<String> names, LayerId self)
            throws NameInUseException {
        for (String n : names) {
            Optional<LayerId> holder = index.nameHolder(n);
            if (holder.isPresent() && !holder.get().equals(self)) {
                throw new NameInUseException(n, holder.get());
            }
        }
    }

    private void ensureOpen() throws StoreClosedException {
        if (closed) {
            throw new StoreClosedException(layout.root().toString());
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replace('\n', ' ');
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

    /** Releases the journal, the lock file and this process's staging locks. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        layout.releaseAll();
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
