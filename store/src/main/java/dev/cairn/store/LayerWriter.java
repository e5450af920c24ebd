package dev.cairn.store;

import dev.cairn.archive.EmptyLayer;
import dev.cairn.archive.ExtractOptions;
import dev.cairn.archive.ExtractResult;
import dev.cairn.archive.LayerExtractor;
import dev.cairn.archive.TarInput;
import dev.cairn.io.DurableFiles;
import dev.cairn.journal.Journal;
import dev.cairn.model.AmbiguousLayerException;
import dev.cairn.model.Actor;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.Layer;
import dev.cairn.model.ImageId;
import dev.cairn.model.LayerHasChildrenException;
import dev.cairn.model.LayerInUseException;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNames;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.model.NameInUseException;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.StagingAppliedException;
import dev.cairn.model.StagingId;
import dev.cairn.model.StagingInProgressException;
import dev.cairn.model.StagingNotFoundException;
import dev.cairn.model.StoreLockedException;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.projection.LayerEntry;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.LiveIndex;
import dev.cairn.projection.StagingEntry;
import dev.cairn.projection.StagingState;
import dev.cairn.recovery.Recovery;
import dev.cairn.store.internal.LockFiles;
import dev.cairn.store.internal.StoreLayout;
import dev.cairn.store.internal.StoreLock;
import dev.cairn.store.internal.StoreLocks;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Every change to the store, each a saga of DESIGN.md section 3 written on one skeleton:
 *
 * <ol>
 *   <li><b>start</b>, under the writers' lock: the index is caught up with the journal's head, the change is checked
 *   against it, the saga's owner lock is taken and the start event made durable;</li>
 *   <li><b>work</b>, outside the writers' lock, holding the owner lock: the heavy disk steps (extracting, syncing,
 *   moving, removing a tree), each durable before the next;</li>
 *   <li><b>end</b>: the end event made durable, then the owner lock released. If the work fails, the saga is
 *   finished the way recovery would finish it (rolled back or completed) and the failure is thrown; if even that
 *   fails, the lock is released and the next recovery does it.</li>
 * </ol>
 *
 * Names, metadata and flags are one event each, under the writers' lock. A change that meets a saga in its way (the
 * same layer id being made or deleted, the staging being applied) waits for that saga's owner, up to the lock
 * timeout, and finishes it first if its owner is dead. Fault points mark each durable step for the crash tests.
 *
 * <p>Every appended record is folded into the live index as the journal returned it ({@link LiveIndex#accept}),
 * never read back. Thread-safe.
 */
final class LayerWriter {

    private final StoreLayout layout;
    private final StoreOptions options;
    private final Journal journal;
    private final LiveIndex live;
    private final StoreLock writers;
    private final StoreLocks locks;

    LayerWriter(StoreLayout layout, StoreOptions options, Journal journal, LiveIndex live, StoreLock writers,
                StoreLocks locks) {
        this.layout = layout;
        this.options = options;
        this.journal = journal;
        this.live = live;
        this.writers = writers;
        this.locks = locks;
    }

    /** A recovery that journals as this store's actor. */
    Recovery recovery() {
        return new Recovery(journal, live, layout, locks, options.actor());
    }

    // --- stage ---------------------------------------------------------------------------------------------------

    /** A finished staging and, for {@code put} and image imports, its lock, still held. */
    record Staging(StagedLayer staged, LockFiles.Owned lock) {
    }

    /** What an image import checks of a staged diff before {@code DiffStaged}: its blob verified, its DiffID. */
    @FunctionalInterface
    interface StagedCheck {
        void check(ExtractResult result) throws IOException;
    }

    StagedLayer stage(InputStream tar, LongConsumer progress) throws IOException {
        Staging s = stageHeld(tar, progress, false, false, r -> { });
        s.lock().release(false);
        return s.staged();
    }

    /**
     * An image import's stage: {@linkplain Event.StagingStarted#ephemeral ephemeral} (the lock, returned held, is kept
     * until the import cleans the staging up; if the process dies, recovery removes the staging), the bytes read kept
     * as received in {@link StoreLayout#stagedBlob} when {@code keepBlob}, and {@code check} run on the result before
     * {@code DiffStaged}: a staging that fails it is discarded.
     */
    Staging stageForImage(InputStream in, LongConsumer progress, boolean keepBlob, StagedCheck check)
            throws IOException {
        return stageHeld(in, progress, true, keepBlob, check);
    }

    /**
     * The stage saga. It needs no writers' lock: its lock ({@code owners/<sid>}) is taken before
     * {@code StagingStarted}, and its folder made after it, so recovery never mistakes it for an orphan. On success
     * the lock is returned still held.
     */
    private Staging stageHeld(InputStream tar, LongConsumer progress, boolean ephemeral, boolean keepBlob,
                              StagedCheck check) throws IOException {
        InputStream in = TarInput.check(tar);
        StagingId id = StagingId.random();
        LockFiles.Owned lock = locks.create(id.hex());
        boolean done = false;
        try {
            append(new Event.StagingStarted(id, options.actor().pid(), options.actor().host(), ephemeral));
            FaultPoints.reach(FaultPoints.STAGING_STARTED);
            try {
                layout.makeStaging(id);
                ExtractResult r;
                if (keepBlob) {
                    try (BlobCopy copy = new BlobCopy(in, layout.stagedBlob(id), !options.unsafeNoSync())) {
                        r = LayerExtractor.extract(copy, layout.stagedDiff(id), layout.stagedManifest(id),
                                extractOptions(progress));
                        copy.finish();
                    }
                } else {
                    r = LayerExtractor.extract(in, layout.stagedDiff(id), layout.stagedManifest(id),
                            extractOptions(progress));
                }
                check.check(r);
                DurableFiles.syncDir(layout.stagedContents(id));
                DurableFiles.syncDir(layout.stagingFolder(id));
                FaultPoints.reach(FaultPoints.STAGING_EXTRACTED);
                JournalRecord rec = append(new Event.DiffStaged(id, r.diffDigest(), r.diffSize(),
                        r.compressedDigest(), r.compressedSize(), r.compression()));
                FaultPoints.reach(FaultPoints.STAGING_STAGED);
                done = true;
                return new Staging(new StagedLayer(id, rec.time(), r.diffDigest(), r.diffSize(),
                        r.compressedDigest(), r.compressedSize(), r.compression()), lock);
            } catch (IOException | RuntimeException e) {
                discardFailedStaging(id, lock, e);
                throw e;
            }
        } finally {
            if (!done) {
                lock.release(false);
            }
        }
    }

    /**
     * Removes an ephemeral staging whose lock this process holds (an image import's, on its way out): its files, then
     * {@code StagingCleaned} if it was applied, else {@code StagingDiscarded} with {@code reason}; the lock released
     * and forgotten.
     */
    void dropHeld(StagingId id, LockFiles.Owned lock, String reason) throws IOException {
        Optional<StagingEntry> s = live.catchUp().staging(id);
        layout.removeStaging(id);
        if (s.isPresent()) {
            append(s.get().state() == StagingState.APPLIED ? new Event.StagingCleaned(id)
                    : new Event.StagingDiscarded(id, reason));
        }
        lock.release(true);
    }

    /** A stage that failed: its files removed and {@code StagingDiscarded}, holding its lock. */
    private void discardFailedStaging(StagingId id, LockFiles.Owned lock, Exception cause) {
        try {
            layout.removeStaging(id);
            append(new Event.StagingDiscarded(id, "staging failed: " + oneLine(cause)));
            lock.release(true);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    // --- apply ---------------------------------------------------------------------------------------------------

    AppliedLayer apply(StagingId id, LayerSpec spec) throws IOException {
        return apply(id, spec, null, false, false);
    }

    /**
     * An image import's apply of its own ephemeral staging, whose lock it holds: on success the lock stays held (the
     * staging, applied, still holds the blob the image will take); on failure it is released.
     */
    AppliedLayer applyHeld(StagingId id, LayerSpec spec, LockFiles.Owned held) throws IOException {
        return apply(id, spec, held, false, true);
    }

    /**
     * The apply saga. Start (writers' lock): the checks, the staging's lock, {@code LayerCreated} naming it as owner.
     * Work: one rename of the staged contents into {@code layers/<id>}. End: {@code LayerCommitted} (with
     * {@code cleanup}, for put, the staging's empty folder removed first and {@code StagingCleaned} in the same
     * batch).
     *
     * @param held the staging's lock if the caller holds it (put, image import); this call releases it unless
     *             {@code keep} and the apply succeeded
     */
    private AppliedLayer apply(StagingId id, LayerSpec spec, LockFiles.Owned held, boolean cleanup, boolean keep)
            throws IOException {
        long deadline = deadline();
        LockFiles.Owned lock = held;
        boolean kept = false;
        try {
            while (true) {
                Blocker blocker;
                LayerId layerId;
                StagingEntry s;
                try (StoreLock.Hold w = writeLock()) {
                    LayerIndex index = live.current();
                    s = index.staging(id).orElseThrow(() -> new StagingNotFoundException(id,
                            "not known (never staged, discarded or cleaned up)"));
                    if (s.state() == StagingState.STARTED) {
                        throw unfinished(s);
                    }
                    if (s.state() == StagingState.APPLIED) {
                        throw new StagingAppliedException(id, s.pendingLayer());
                    }
                    if (spec.expectedDiffId().isPresent() && !spec.expectedDiffId().get().equals(s.diffDigest())) {
                        throw new DigestMismatchException("staging " + id + " DiffID", spec.expectedDiffId().get(),
                                s.diffDigest());
                    }
                    Optional<LayerId> parent = resolveParent(index, spec);
                    layerId = spec.id().orElseGet(() -> LayerId.forDiff(parent, s.diffDigest()));
                    blocker = s.pendingLayer() == null ? null : Blocker.layer(index, s.pendingLayer());
                    if (blocker == null) {
                        blocker = Blocker.layer(index, layerId);
                    }
                    if (blocker == null) {
                        Optional<Layer> existing = index.layer(layerId);
                        if (existing.isPresent()) {
                            AppliedLayer d = duplicate(existing.get(), spec);
                            kept = keep;
                            return d;
                        }
                        checkNamesFree(index, spec.names(), layerId);
                        if (lock == null) {
                            lock = locks.take(id.hex()).orElse(null);
                        }
                        if (lock == null) {
                            blocker = new Blocker(null, id.hex());
                        } else {
                            start(lock, false, FaultPoints.LAYER_CREATED, new Event.LayerCreated(layerId,
                                    parent.orElse(null), spec.names(), id, spec.metadata(),
                                    SagaOwner.ofStaging(id, options.actor().pid(), options.actor().host())));
                        }
                    }
                }
                if (blocker != null) {
                    await(blocker, deadline);
                    continue;
                }
                LayerId made = layerId;
                work(made, lock, cleanup, keep, () -> {
                    layout.moveStagedIntoLayer(id, made);
                    FaultPoints.reach(FaultPoints.LAYER_MOVED);
                    Event committed = new Event.LayerCommitted(made, s.diffDigest(), s.diffSize(),
                            s.compressedDigest(), s.compressedSize(), s.compression());
                    if (cleanup) {
                        layout.removeAppliedStaging(id);
                        append(committed, new Event.StagingCleaned(id));
                    } else {
                        append(committed);
                    }
                    FaultPoints.reach(FaultPoints.LAYER_COMMITTED);
                    if (cleanup) {
                        FaultPoints.reach(FaultPoints.STAGING_CLEANED);
                    }
                });
                kept = keep;
                return new AppliedLayer(visible(layerId), false);
            }
        } finally {
            if (lock != null && !kept) {
                lock.release(false);
            }
        }
    }

    /**
     * A layer with the id asked for exists already: it is returned, and the names asked for that it does not have
     * are added to it (one {@code NamesSet}), or refused if another layer has one; nothing is dropped silently.
     * Requires the writers' lock.
     */
    private AppliedLayer duplicate(Layer existing, LayerSpec spec) throws IOException {
        List<String> added = new ArrayList<>();
        for (String n : spec.names()) {
            if (!existing.names().contains(n)) {
                added.add(n);
            }
        }
        if (added.isEmpty()) {
            return new AppliedLayer(existing, true);
        }
        checkNamesFree(live.current(), added, existing.id());
        List<String> all = new ArrayList<>(existing.names());
        all.addAll(added);
        append(new Event.NamesSet(existing.id(), all));
        return new AppliedLayer(visible(existing.id()), true, added);
    }

    // --- cleanup -------------------------------------------------------------------------------------------------

    /**
     * The cleanup saga. Start (writers' lock): the staging's lock, its folder renamed into
     * {@code trash/staging-<sid>}, {@code StagingCleaned}. Work: that folder removed. A staging whose stage died is
     * discarded instead ({@code StagingDiscarded}).
     */
    void cleanup(StagingId id) throws IOException {
        long deadline = deadline();
        while (true) {
            Blocker blocker = null;
            LockFiles.Owned lock = null;
            try {
                try (StoreLock.Hold w = writeLock()) {
                    LayerIndex index = live.current();
                    StagingEntry s = index.staging(id).orElseThrow(() -> new StagingNotFoundException(id,
                            "not known (never staged, discarded or cleaned up)"));
                    if (s.state() == StagingState.STAGED && s.pendingLayer() != null) {
                        blocker = Blocker.layer(index, s.pendingLayer());
                    }
                    if (blocker == null) {
                        lock = locks.take(id.hex()).orElse(null);
                        if (lock == null && s.state() == StagingState.STARTED) {
                            throw new StagingInProgressException(id, "staged", s.ownerPid(), s.ownerHost());
                        }
                        if (lock == null) {
                            blocker = new Blocker(null, id.hex());
                        } else if (s.state() == StagingState.STARTED) {
                            layout.removeStaging(id);
                            append(new Event.StagingDiscarded(id, "cleaned up after its owner process "
                                    + s.ownerPid() + " on " + s.ownerHost() + " ended"));
                            lock.release(true);
                            return;
                        } else {
                            layout.trashStaging(id);
                            FaultPoints.reach(FaultPoints.STAGING_TRASHED);
                            append(new Event.StagingCleaned(id));
                        }
                    }
                }
                if (blocker != null) {
                    await(blocker, deadline);
                    continue;
                }
                FaultPoints.reach(FaultPoints.STAGING_CLEANED);
                layout.removeTrashedStaging(id);
                lock.release(true);
                return;
            } finally {
                if (lock != null) {
                    lock.release(false);
                }
            }
        }
    }

    // --- put -----------------------------------------------------------------------------------------------------

    /**
     * Stage, apply and clean up: what can be checked before the tarball is read is checked first (the input's first
     * block, the parent, the names), the stage needs no writers' lock, and apply and cleanup share one hold of it.
     * If the apply fails, the staging is cleaned up and the apply's failure thrown, a cleanup failure suppressed in
     * it. A duplicate's staging is cleaned up too.
     */
    AppliedLayer put(InputStream tar, LayerSpec spec, LongConsumer progress) throws IOException {
        precheck(spec);
        Staging staged = stageHeld(tar, progress, false, false, r -> { });
        AppliedLayer applied;
        try {
            applied = apply(staged.staged().id(), spec, staged.lock(), true, false);
        } catch (IOException | RuntimeException e) {
            try {
                if (live.catchUp().staging(staged.staged().id()).isPresent()) {
                    cleanup(staged.staged().id());
                }
            } catch (IOException | RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
        if (applied.duplicate()) {
            cleanup(staged.staged().id());
        }
        return applied;
    }

    /**
     * put's checks before staging: the parent exists, and no name belongs to a layer that cannot be the one this
     * put will make or find (a name on a layer with the same parent may be on the very layer the tarball turns out
     * to be, a duplicate; apply decides that).
     */
    private void precheck(LayerSpec spec) throws IOException {
        requireWritable();
        LayerIndex index = live.catchUp();
        Optional<LayerId> parent = resolveParent(index, spec);
        for (String n : spec.names()) {
            Optional<LayerId> holder = index.nameHolder(n);
            if (holder.isEmpty()) {
                continue;
            }
            boolean couldBeOurs = spec.id().map(holder.get()::equals).orElseGet(() -> index.entry(holder.get())
                    .map(e -> e.parentId().equals(parent)).orElse(false));
            if (!couldBeOurs) {
                throw new NameInUseException(n, holder.get());
            }
        }
    }

    // --- create --------------------------------------------------------------------------------------------------

    /**
     * The create saga (an empty layer). Start: the checks, a fresh owner lock, {@code LayerCreated}. Work, outside
     * the writers' lock: the empty layer extracted and synced in {@code layers/<id>}. End: {@code LayerCommitted}.
     */
    AppliedLayer create(LayerSpec spec) throws IOException {
        if (spec.expectedDiffId().isPresent() && !spec.expectedDiffId().get().equals(EmptyLayer.DIFF_DIGEST)) {
            throw new DigestMismatchException("empty layer DiffID", spec.expectedDiffId().get(),
                    EmptyLayer.DIFF_DIGEST);
        }
        long deadline = deadline();
        LayerId layerId = spec.id().orElseGet(LayerId::random);
        while (true) {
            Blocker blocker;
            LockFiles.Owned lock = null;
            try (StoreLock.Hold w = writeLock()) {
                LayerIndex index = live.current();
                Optional<LayerId> parent = resolveParent(index, spec);
                blocker = Blocker.layer(index, layerId);
                if (blocker == null) {
                    Optional<Layer> existing = index.layer(layerId);
                    if (existing.isPresent()) {
                        return duplicate(existing.get(), spec);
                    }
                    checkNamesFree(index, spec.names(), layerId);
                    SagaOwner owner = SagaOwner.fresh(options.actor());
                    lock = start(locks.create(owner.lock()), true, FaultPoints.LAYER_CREATED,
                            new Event.LayerCreated(layerId, parent.orElse(null), spec.names(), null, spec.metadata(),
                                    owner));
                }
            }
            if (blocker != null) {
                await(blocker, deadline);
                continue;
            }
            work(layerId, lock, true, false, () -> {
                DurableFiles.mkdirDurable(layout.layer(layerId));
                DurableFiles.mkdirDurable(layout.layerDiff(layerId));
                LayerExtractor.extract(new ByteArrayInputStream(EmptyLayer.tar()), layout.layerDiff(layerId),
                        layout.layerManifest(layerId), extractOptions(bytes -> { }));
                DurableFiles.syncDir(layout.layer(layerId));
                FaultPoints.reach(FaultPoints.LAYER_MOVED);
                append(new Event.LayerCommitted(layerId, EmptyLayer.DIFF_DIGEST, EmptyLayer.DIFF_SIZE, null, null,
                        null));
                FaultPoints.reach(FaultPoints.LAYER_COMMITTED);
            });
            return new AppliedLayer(visible(layerId), false);
        }
    }

    // --- delete --------------------------------------------------------------------------------------------------

    /**
     * The delete saga. Start: the checks (a layer with children, in any state, or one an image uses, is refused), a
     * fresh owner lock, {@code LayerDeleteStarted}: gone for readers from here. Work, outside the writers' lock: the
     * folder renamed into {@code trash/<lock>} and removed. End: {@code LayerDeleted}.
     */
    void delete(String idOrName) throws IOException {
        LayerId id;
        SagaOwner owner;
        LockFiles.Owned lock;
        try (StoreLock.Hold w = writeLock()) {
            LayerIndex index = live.current();
            Layer l = index.resolve(idOrName);
            id = l.id();
            List<LayerId> children = index.childIds(id);
            if (!children.isEmpty()) {
                throw new LayerHasChildrenException(id, children);
            }
            List<ImageId> users = index.images().imagesUsing(id);
            if (!users.isEmpty()) {
                throw new LayerInUseException(id, users, users.stream().map(u -> index.images().entry(u)
                        .filter(e -> !e.names().isEmpty()).map(e -> u + " (" + e.names().get(0) + ")")
                        .orElse(u.hex())).toList());
            }
            owner = SagaOwner.fresh(options.actor());
            lock = start(locks.create(owner.lock()), true, FaultPoints.DELETE_STARTED,
                    new Event.LayerDeleteStarted(id, owner));
        }
        work(id, lock, true, false, () -> {
            layout.trashLayer(id, owner);
            FaultPoints.reach(FaultPoints.LAYER_TRASHED);
            layout.removeTrashedLayer(owner);
            append(new Event.LayerDeleted(id));
            FaultPoints.reach(FaultPoints.LAYER_DELETED);
        });
    }

    // --- names, metadata, flags ----------------------------------------------------------------------------------

    Layer setNames(String idOrName, List<String> names) throws IOException {
        List<String> checked = LayerNames.checkAll(names);
        try (StoreLock.Hold w = writeLock()) {
            Layer l = requireLayer(idOrName);
            checkNamesFree(live.current(), checked, l.id());
            append(new Event.NamesSet(l.id(), checked));
            FaultPoints.reach(FaultPoints.NAMES_SET);
            return visible(l.id());
        }
    }

    Layer changeNames(String idOrName, List<String> add, List<String> remove) throws IOException {
        List<String> added = LayerNames.checkAll(add);
        try (StoreLock.Hold w = writeLock()) {
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

    Layer setMetadata(String idOrName, String metadata) throws IOException {
        try (StoreLock.Hold w = writeLock()) {
            Layer l = requireLayer(idOrName);
            append(new Event.MetadataSet(l.id(), metadata));
            return visible(l.id());
        }
    }

    Layer setFlag(String idOrName, String key, Object value) throws IOException {
        try (StoreLock.Hold w = writeLock()) {
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

    // --- the skeleton's parts ------------------------------------------------------------------------------------

    /** A saga's disk work, run outside the writers' lock while its owner lock is held; it ends with the end event. */
    @FunctionalInterface
    private interface Work {
        void run() throws IOException;
    }

    /**
     * A saga's start, under the writers' lock: {@code event} made durable while {@code lock} is held, then the fault
     * point. If the event cannot be appended the lock is released ({@code fresh}: and its file removed, for no saga
     * ever used it); if the process "dies" at the fault point (a test's Error) it is released as a death would.
     *
     * @return {@code lock}
     */
    LockFiles.Owned start(LockFiles.Owned lock, boolean fresh, String point, Event event) throws IOException {
        try {
            append(event);
        } catch (IOException | RuntimeException e) {
            lock.release(fresh);
            throw e;
        }
        try {
            FaultPoints.reach(point);
        } catch (Error e) {
            lock.release(false);
            throw e;
        }
        return lock;
    }

    /**
     * A saga's work and end, holding {@code lock}: if {@code work} fails, the lock is released and the saga on
     * {@code layer} finished as recovery would (rolled back, or its deletion completed) before the failure is thrown;
     * else the lock is released once the end event is durable, its file removed when {@code forget} (no saga will
     * use the name again) — or, with {@code keep}, left held for the caller.
     */
    private void work(LayerId layer, LockFiles.Owned lock, boolean forget, boolean keep, Work work)
            throws IOException {
        boolean done = false;
        try {
            work.run();
            done = true;
        } catch (IOException | RuntimeException e) {
            lock.release(false);
            finishAfterFailure(layer, e);
            throw e;
        } finally {
            if (!(done && keep)) {
                lock.release(done && forget);
            }
        }
    }

    /**
     * Takes the writers' lock and catches the index up with the journal's head. Before that, finishes any layer or
     * image saga whose owner died (the open sagas only are looked at: the cost does not grow with the store).
     */
    StoreLock.Hold writeLock() throws IOException {
        requireWritable();
        LayerIndex seen = live.catchUp();
        if (seen.hasUnfinishedLayers()) {
            recovery().finishDeadLayerSagas();
        }
        if (seen.images().hasUnfinished()) {
            recovery().finishDeadImageSagas();
        }
        StoreLock.Hold hold = writers.acquire(options.lockTimeout());
        try {
            live.catchUp();
            return hold;
        } catch (IOException | RuntimeException e) {
            hold.close();
            throw e;
        }
    }

    /**
     * What a change waits for: the saga open on {@code layer} (its owner's lock {@code lock}, null for a saga from
     * before sagas had owners), or, with {@code layer} null, whoever holds a staging's lock.
     */
    private record Blocker(LayerId layer, String lock) {

        /** The saga open on {@code id} in {@code index}, or null if there is none (absent or committed). */
        static Blocker layer(LayerIndex index, LayerId id) {
            Optional<LayerEntry> e = index.entry(id);
            if (e.isEmpty() || e.get().isCommitted()) {
                return null;
            }
            return new Blocker(id, e.get().owner() == null ? null : e.get().owner().lock());
        }
    }

    /**
     * Waits, outside the writers' lock, until the saga in the way has ended: finishes it if its owner is dead,
     * else polls its owner's lock until it is free.
     *
     * @throws StoreLockedException naming the owner's lock file if it stays held past the lock timeout
     */
    private void await(Blocker b, long deadline) throws IOException {
        long pause = 1;
        while (b.lock() != null && locks.alive(b.lock())) {
            if (System.nanoTime() >= deadline) {
                throw new StoreLockedException(layout.ownerLock(b.lock()), options.lockTimeout());
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for " + layout.ownerLock(b.lock()));
            }
            pause = Math.min(pause * 2, 20);
        }
        if (b.layer() != null) {
            recovery().finishLayer(b.layer());
        }
    }

    /** After a saga's work failed and its lock was released: finished as recovery would, or left for recovery. */
    private void finishAfterFailure(LayerId id, Exception cause) {
        try {
            recovery().finishLayer(id);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** A staging still {@code STARTED}: in progress if its owner lives, else dead (for recovery to discard). */
    private IOException unfinished(StagingEntry s) throws IOException {
        if (locks.alive(s.id().hex())) {
            return new StagingInProgressException(s.id(), "staged", s.ownerPid(), s.ownerHost());
        }
        return new StagingNotFoundException(s.id(), "unfinished: process " + s.ownerPid() + " on " + s.ownerHost()
                + " ended before it finished staging it (recovery discards it)");
    }

    long deadline() {
        return System.nanoTime() + options.lockTimeout().toNanos();
    }

    ExtractOptions extractOptions(LongConsumer progress) {
        return ExtractOptions.DEFAULTS.toBuilder().syncfs(options.syncfs()).unsafeNoSync(options.unsafeNoSync())
                .progress(progress).build();
    }

    /** Who the events this writer appends are by: the store's actor, or a view's caller ({@link LayerStore#as}). */
    Actor actor() {
        return options.actor();
    }

    /** Appends {@code events} as one durable batch and folds them in as returned; the last record. */
    JournalRecord append(Event... events) throws IOException {
        List<JournalRecord> records = journal.appendAll(List.of(events), actor());
        live.accept(records);
        return records.get(records.size() - 1);
    }

    private Layer requireLayer(String idOrName) throws LayerNotFoundException, AmbiguousLayerException {
        return live.current().resolve(idOrName);
    }

    Layer visible(LayerId id) throws LayerNotFoundException {
        return live.current().layer(id).orElseThrow(() -> new LayerNotFoundException(id.hex()));
    }

    void requireWritable() throws IOException {
        if (writers == null) {
            throw new dev.cairn.model.ReadOnlyStoreException(layout.root().toString());
        }
    }

    private static Optional<LayerId> resolveParent(LayerIndex index, LayerSpec spec)
            throws LayerNotFoundException, AmbiguousLayerException {
        if (spec.parent().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(index.resolve(spec.parent().get()).id());
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

    static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replace('\n', ' ');
    }
}
