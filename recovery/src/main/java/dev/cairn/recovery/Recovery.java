package dev.cairn.recovery;

import dev.cairn.journal.Journal;
import dev.cairn.model.Actor;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.ImageId;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerState;
import dev.cairn.model.OpenSaga;
import dev.cairn.model.RecoveryPlan.Action;
import dev.cairn.model.RecoveryPlan.Step;
import dev.cairn.model.RecoveryPlan;
import dev.cairn.model.RecoveryReport;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.StagingId;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.projection.ImageEntry;
import dev.cairn.projection.ImageState;
import dev.cairn.projection.LayerEntry;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.LiveIndex;
import dev.cairn.projection.StagingEntry;
import dev.cairn.projection.StagingState;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The recovery replayer (DESIGN.md section 3): finds every saga that has a start but no end and whose owner is dead,
 * and everything on disk no event accounts for, and finishes it from the journal and the disk alone, journaling each
 * action.
 *
 * <table>
 *   <caption>What each unfinished saga becomes, when its owner's lock is free at the journal's head</caption>
 *   <tr><th>found</th><th>done</th><th>journaled</th></tr>
 *   <tr><td>layer {@code REMOVING}</td><td>its files removed</td><td>{@code LayerDeleted}</td></tr>
 *   <tr><td>layer {@code INCOMPLETE}</td><td>moved back into its staging if that still wants it, else removed</td>
 *       <td>{@code LayerRolledBack}</td></tr>
 *   <tr><td>staging {@code STARTED}</td><td>removed</td><td>{@code StagingDiscarded}</td></tr>
 *   <tr><td>staging whose folder is gone (cleanup cut short)</td><td>rest removed</td><td>{@code StagingCleaned}</td></tr>
 *   <tr><td>staging {@code STAGED} without its contents</td><td>removed</td><td>{@code StagingDiscarded}</td></tr>
 *   <tr><td>staging older than the configured age</td><td>removed</td>
 *       <td>{@code StagingDiscarded} ({@code StagingCleaned} if applied)</td></tr>
 *   <tr><td>ephemeral staging (an image import's), finished</td><td>removed</td>
 *       <td>{@code StagingDiscarded} ({@code StagingCleaned} if applied)</td></tr>
 *   <tr><td>image {@code INCOMPLETE}</td><td>the blobs no other image holds removed</td>
 *       <td>{@code ImageRolledBack}</td></tr>
 *   <tr><td>image {@code REMOVING}</td><td>the blobs no other image holds removed</td><td>{@code ImageDeleted}</td></tr>
 *   <tr><td>a file in {@code layers/}, {@code staging/}, {@code trash/} or {@code blobs/} that no event accounts for
 *       (a blob no image holds) and no live saga owns</td><td>removed</td><td>{@code OrphanRemoved}</td></tr>
 * </table>
 *
 * <h2>Never from a stale view</h2>
 * Recovery first makes a {@linkplain #plan plan} from a view of the journal and the folders. That view may be old by
 * the time a step runs (another process may finish its saga meanwhile), so each step is decided again before it acts:
 * holding the saga's owner lock ({@link SagaLocks}) — or the writers' lock, for a saga without an owner and for
 * orphans in {@code layers/} — and against the index caught up with the journal's head after the lock was taken. An
 * owner releases its lock only after its end event is durable, so what is still open then is provably dead.
 *
 * <p>Blobs are shared: an image saga's blobs are removed only where no other image (in any state) holds them, decided
 * and removed under the writers' lock, under which alone an image saga starts holding a blob (its
 * {@code ImageCreated}); a blob is looked for only after that, so no saga ever counts on a blob being removed.
 *
 * <p>Each action changes the disk first and journals after (with a {@link FaultPoints} point between the two), and
 * every disk change is idempotent, so a crash during recovery is recovered by running it again. Several processes may
 * recover at once: every step is taken by whoever gets its lock, the others pass it by.
 */
public final class Recovery {

    /** The reason written for a layer created but never committed. */
    public static final String NO_COMMIT = "LayerCreated without LayerCommitted: the apply did not finish";

    /** The reason written for an image created but never committed. */
    public static final String NO_IMAGE_COMMIT = "ImageCreated without ImageCommitted: the import did not finish";

    private final Journal journal;
    private final LiveIndex index;
    private final RecoveryDisk disk;
    private final SagaLocks locks;
    private final Actor actor;
    private final List<JournalRecord> done = new ArrayList<>();

    /** A recovery over this journal, index, disk and locks, journaling as {@code actor}. Not thread-safe. */
    public Recovery(Journal journal, LiveIndex index, RecoveryDisk disk, SagaLocks locks, Actor actor) {
        this.journal = journal;
        this.index = index;
        this.disk = disk;
        this.locks = locks;
        this.actor = actor;
    }

    /**
     * What recovery would do now, computed without taking or changing anything: the folders are listed first, then
     * the index is caught up with the journal, so that nothing made after its start event looks like an orphan.
     *
     * @param now           the time against which staging ages are measured
     * @param stagingMaxAge a finished staging older than this is discarded; {@code null} keeps them forever
     */
    public static RecoveryPlan plan(LiveIndex index, RecoveryDisk disk, SagaLocks locks, Instant now,
                                    Duration stagingMaxAge) throws IOException {
        List<String> layerFolders = disk.layerFolders();
        List<String> stagingFolders = disk.stagingFolders();
        List<String> trash = disk.trashEntries();
        List<String> blobs = disk.blobEntries();
        List<String> blobTemporaries = disk.blobTemporaries();
        LayerIndex idx = index.catchUp();
        List<Step> steps = new ArrayList<>();
        List<Step> stages = new ArrayList<>();
        List<OpenSaga> live = new ArrayList<>();
        // layer sagas first: rolling back an apply gives its staging its contents back
        for (OpenSaga saga : idx.openSagas()) {
            if (saga.owner() != null && locks.alive(saga.owner().lock())) {
                live.add(saga);
            } else if (saga.kind() == OpenSaga.Kind.STAGE) {
                stages.add(discardUnfinished(idx.staging(StagingId.of(saga.subject())).orElseThrow()));
            } else if (saga.kind() == OpenSaga.Kind.MAKE_IMAGE || saga.kind() == OpenSaga.Kind.DELETE_IMAGE) {
                steps.add(imageStep(idx.images().entry(ImageId.of(saga.subject())).orElseThrow()));
            } else {
                steps.add(layerStep(idx.entry(LayerId.of(saga.subject())).orElseThrow()));
            }
        }
        steps.addAll(stages);
        for (StagingEntry s : idx.stagings()) {
            Step step = stagingStep(s, disk, now, stagingMaxAge);
            if (step != null && !locks.alive(s.id().hex())) {
                steps.add(step);
            }
        }
        for (String name : layerFolders) {
            if (!LayerId.isValid(name) || idx.entry(LayerId.of(name)).isEmpty()) {
                steps.add(orphan("layers/" + name));
            }
        }
        for (String name : stagingFolders) {
            if (!StagingId.isValid(name)
                    || idx.staging(StagingId.of(name)).isEmpty() && !locks.alive(name)) {
                steps.add(orphan("staging/" + name));
            }
        }
        for (String name : trash) {
            String owner = RecoveryDisk.trashOwner(name);
            if (owner == null || !locks.alive(owner) && !needed(idx, owner)) {
                steps.add(orphan("trash/" + name));
            }
        }
        for (String name : blobs) {
            if (!isBlobName(name) || !idx.holdsBlob(new Digest(name))) {
                steps.add(orphan(BLOBS + name));
            }
        }
        for (String name : blobTemporaries) {
            String owner = RecoveryDisk.blobTemporaryOwner(name);
            if (owner == null || !locks.alive(owner)) {
                steps.add(orphan(BLOB_TEMPORARIES + name));
            }
        }
        return new RecoveryPlan(steps, live);
    }

    /**
     * {@link #run(Instant, Duration)} over a disk that is its own {@link SagaLocks} (the store's layout), as a
     * single call.
     *
     * @throws IllegalArgumentException if {@code disk} is not also a {@link SagaLocks}
     */
    public static RecoveryReport run(Journal journal, LiveIndex index, RecoveryDisk disk, Actor actor, Instant now,
                                     Duration stagingMaxAge) throws IOException {
        if (!(disk instanceof SagaLocks locks)) {
            throw new IllegalArgumentException("recovery needs the locks of " + disk + ": pass a SagaLocks");
        }
        return new Recovery(journal, index, disk, locks, actor).run(now, stagingMaxAge);
    }

    /**
     * Runs recovery to the end: {@link #plan}, then every step decided again and done as described above.
     *
     * @return the records it appended, one per action
     */
    public RecoveryReport run(Instant now, Duration stagingMaxAge) throws IOException {
        RecoveryPlan plan = plan(index, disk, locks, now, stagingMaxAge);
        FaultPoints.reach(FaultPoints.RECOVERY_PLANNED);
        for (Step step : plan.steps()) {
            switch (step.action()) {
                case ROLL_BACK_LAYER, FINISH_DELETE -> finishLayer(LayerId.of(step.subject()));
                case ROLL_BACK_IMAGE, FINISH_IMAGE_DELETE -> finishImage(ImageId.of(step.subject()));
                case DISCARD_STAGING, CLEAN_STAGING -> finishStaging(StagingId.of(step.subject()), now, stagingMaxAge);
                case REMOVE_ORPHAN -> removeOrphan(step.subject());
                default -> throw new IllegalStateException("unknown step " + step);
            }
        }
        forgetDeadLocks();
        return report();
    }

    /**
     * Only the layer sagas whose owners are dead: cheap (the open sagas only, no folder listing), for a writer that
     * must not be held up by a layer another process left unfinished.
     */
    public RecoveryReport finishDeadLayerSagas() throws IOException {
        for (LayerEntry l : index.current().unfinishedLayers()) {
            if (l.owner() == null || !locks.alive(l.owner().lock())) {
                finishLayer(l.id());
            }
        }
        return report();
    }

    /**
     * Only the image sagas whose owners are dead: cheap (the open sagas only), for a writer that must not be held up
     * by an image another process left unfinished (its layers cannot be deleted while it is open).
     */
    public RecoveryReport finishDeadImageSagas() throws IOException {
        for (ImageEntry i : index.current().images().unfinished()) {
            if (!locks.alive(i.owner().lock())) {
                finishImage(i.id());
            }
        }
        return report();
    }

    /**
     * Finishes the image saga open on {@code id} if its owner is dead, deciding against the journal's head while
     * holding its lock: an import is rolled back, a delete finished, and in both cases the blobs it held that no other
     * image holds are removed, and the temporaries its owner left.
     *
     * @return false if its owner is alive (nothing done); true if it is finished now (by this call or before)
     */
    public boolean finishImage(ImageId id) throws IOException {
        ImageEntry seen = index.catchUp().images().entry(id).orElse(null);
        if (seen == null || seen.isCommitted()) {
            return true;
        }
        Optional<SagaLocks.Held> held = locks.adopt(seen.owner().lock());
        if (held.isEmpty()) {
            return false;
        }
        boolean done = false;
        try {
            ImageEntry i = index.catchUp().images().entry(id).orElse(null);
            if (i == null || i.isCommitted() || i.state() != seen.state() || !i.owner().equals(seen.owner())) {
                return true;
            }
            removeBlobsOnlyHeldBy(i);
            for (String name : disk.blobTemporaries()) {
                if (i.owner().lock().equals(RecoveryDisk.blobTemporaryOwner(name))) {
                    disk.removeBlobTemporary(name);
                }
            }
            FaultPoints.reach(FaultPoints.RECOVERY_IMAGE_BLOBS_REMOVED);
            record(i.state() == ImageState.REMOVING ? new Event.ImageDeleted(id)
                    : new Event.ImageRolledBack(id, NO_IMAGE_COMMIT));
            done = true;
            return true;
        } finally {
            release(held.get(), done);
        }
    }

    /**
     * Removes the blobs of {@code image} that no other image holds, deciding and unlinking under the writers' lock,
     * then makes the removals durable (outside it).
     */
    private void removeBlobsOnlyHeldBy(ImageEntry image) throws IOException {
        try (SagaLocks.Held w = locks.writers()) {
            LayerIndex idx = index.catchUp();
            for (BlobRef b : image.blobs()) {
                if (idx.images().blobHolders(b.digest()).equals(List.of(image.id()))
                        && !idx.registry().holds(b.digest())) {
                    disk.removeBlob(b.digest().hex());
                }
            }
        }
        disk.syncBlobs();
    }

    /** What this instance has journaled so far. */
    public RecoveryReport report() {
        return new RecoveryReport(done);
    }

    /**
     * Finishes the layer saga open on {@code id} if its owner is dead, deciding against the journal's head while
     * holding its lock.
     *
     * @return false if its owner is alive (nothing done); true if it is finished now (by this call or before)
     */
    public boolean finishLayer(LayerId id) throws IOException {
        LayerEntry seen = index.catchUp().entry(id).orElse(null);
        if (seen == null || seen.isCommitted()) {
            return true;
        }
        Optional<SagaLocks.Held> held = seen.owner() == null ? Optional.of(locks.writers())
                : locks.adopt(seen.owner().lock());
        if (held.isEmpty()) {
            return false;
        }
        boolean forget = false;
        try {
            LayerEntry l = index.catchUp().entry(id).orElse(null);
            if (l == null || l.isCommitted() || l.state() != seen.state() || !Objects.equals(l.owner(), seen.owner())) {
                return true;
            }
            // a saga's own lock dies with it; a staging's lock lives as long as the staging
            forget = l.owner() != null && (l.staging() == null || !l.owner().lock().equals(l.staging().hex()));
            if (l.state() == LayerState.REMOVING) {
                disk.removeLayer(id, l.owner());
                FaultPoints.reach(FaultPoints.RECOVERY_LAYER_REMOVED);
                record(new Event.LayerDeleted(id));
            } else {
                forget |= rollBack(l);
            }
            return true;
        } finally {
            release(held.get(), forget);
        }
    }

    /**
     * Rolls back an unfinished apply or create, holding its owner's lock. An apply's staging gets its contents back
     * (it can be applied again), unless it is ephemeral: an image import's, which nobody will apply again, is then
     * discarded too, under the same lock (its owner's). A staging whose folder is gone (a put removes it just before
     * its commit) is finished too: its cleanup was cut short. So one recovery leaves nothing for the next.
     *
     * @return whether the staging was ended, so that its lock is done with
     */
    private boolean rollBack(LayerEntry l) throws IOException {
        StagingId s = l.staging();
        Optional<StagingEntry> staging = s == null ? Optional.empty() : index.current().staging(s)
                .filter(st -> st.state() == StagingState.STAGED && l.id().equals(st.pendingLayer()));
        boolean ephemeral = staging.map(StagingEntry::ephemeral).orElse(false);
        if (staging.isPresent() && !ephemeral && !disk.stagedContentsExist(s) && disk.layerFolderExists(l.id())
                && disk.stagingFolderExists(s)) {
            disk.restoreStagedContents(l.id(), s);
            FaultPoints.reach(FaultPoints.RECOVERY_LAYER_RESTORED);
        }
        disk.removeLayer(l.id(), null);
        FaultPoints.reach(FaultPoints.RECOVERY_LAYER_ROLLED_BACK);
        record(new Event.LayerRolledBack(l.id(), NO_COMMIT));
        if (staging.isEmpty() || l.owner() == null || !l.owner().lock().equals(s.hex())) {
            return false;
        }
        if (ephemeral) {
            disk.removeStaging(s);
            FaultPoints.reach(FaultPoints.RECOVERY_STAGING_REMOVED);
            record(new Event.StagingDiscarded(s, "its layer's apply was rolled back and the image import that staged "
                    + "it ended"));
            return true;
        }
        if (!disk.stagingFolderExists(s)) {
            disk.removeStaging(s);
            FaultPoints.reach(FaultPoints.RECOVERY_STAGING_REMOVED);
            record(new Event.StagingCleaned(s));
            return true;
        }
        return false;
    }

    /**
     * Finishes what is left of staging {@code id} if no live process works on it, deciding against the journal's head
     * while holding its lock: discards it if its stage died, or if it is emptied or too old; records the end of a
     * cleanup cut short.
     */
    public void finishStaging(StagingId id, Instant now, Duration maxAge) throws IOException {
        if (index.catchUp().staging(id).isEmpty()) {
            return;
        }
        Optional<SagaLocks.Held> held = locks.adopt(id.hex());
        if (held.isEmpty()) {
            return;
        }
        boolean gone = false;
        try {
            StagingEntry s = index.catchUp().staging(id).orElse(null);
            if (s == null) {
                gone = true;
                return;
            }
            Step step = s.state() == StagingState.STARTED ? discardUnfinished(s) : stagingStep(s, disk, now, maxAge);
            if (step == null) {
                return;
            }
            disk.removeStaging(id);
            FaultPoints.reach(FaultPoints.RECOVERY_STAGING_REMOVED);
            record(step.action() == Action.CLEAN_STAGING ? new Event.StagingCleaned(id)
                    : new Event.StagingDiscarded(id, step.reason()));
            gone = true;
        } finally {
            release(held.get(), gone);
        }
    }

    private void removeOrphan(String path) throws IOException {
        boolean blob = path.startsWith(BLOBS) || path.startsWith(BLOB_TEMPORARIES);
        int cut = blob ? path.indexOf('/', "blobs/".length()) : path.indexOf('/');
        String folder = path.substring(0, cut);
        String name = path.substring(cut + 1);
        String lock = switch (folder) {
            case "staging" -> StagingId.isValid(name) ? name : null;
            case "trash" -> RecoveryDisk.trashOwner(name);
            case "blobs/tmp" -> RecoveryDisk.blobTemporaryOwner(name);
            default -> null;
        };
        // without a lock that owns it, the writers' lock: no layer or image saga starts while it is held (an image
        // holds a blob from its ImageCreated on, written under that lock)
        Optional<SagaLocks.Held> held = lock == null ? Optional.of(locks.writers()) : locks.adopt(lock);
        if (held.isEmpty()) {
            return;
        }
        boolean forget = false;
        try {
            LayerIndex idx = index.catchUp();
            boolean accounted = switch (folder) {
                case "layers" -> LayerId.isValid(name) && idx.entry(LayerId.of(name)).isPresent();
                case "staging" -> lock != null && idx.staging(StagingId.of(name)).isPresent();
                case "blobs/sha256" -> isBlobName(name) && idx.holdsBlob(new Digest(name));
                case "blobs/tmp" -> false; // its writer is dead: the lock was free
                default -> lock != null && needed(idx, lock);
            };
            if (accounted || !stillThere(folder, name)) {
                return;
            }
            forget = lock != null && !needed(idx, lock);
            disk.removeOrphan(path);
            FaultPoints.reach(FaultPoints.RECOVERY_ORPHAN_REMOVED);
            record(new Event.OrphanRemoved(path, "no journal event accounts for it"));
        } finally {
            release(held.get(), forget);
        }
    }

    private static boolean isBlobName(String name) {
        return LayerId.isValid(name);
    }

    private boolean stillThere(String folder, String name) throws IOException {
        List<String> names = switch (folder) {
            case "layers" -> disk.layerFolders();
            case "staging" -> disk.stagingFolders();
            case "blobs/sha256" -> disk.blobEntries();
            case "blobs/tmp" -> disk.blobTemporaries();
            default -> disk.trashEntries();
        };
        return names.contains(name);
    }

    /** Removes the lock files of dead owners that no saga needs any more; journals nothing (they hold no data). */
    private void forgetDeadLocks() throws IOException {
        locks.forgetUnfinishedLockFiles();
        for (String name : locks.lockFiles()) {
            if (!SagaOwner.isLockName(name) || needed(index.current(), name)) {
                continue;
            }
            Optional<SagaLocks.Held> held = locks.adopt(name);
            if (held.isPresent()) {
                release(held.get(), !needed(index.catchUp(), name));
            }
        }
    }

    /** Whether an open saga or a staging still in the index uses lock {@code lock}. */
    private static boolean needed(LayerIndex idx, String lock) {
        if (StagingId.isValid(lock) && idx.staging(StagingId.of(lock)).isPresent()) {
            return true;
        }
        for (OpenSaga saga : idx.openSagas()) {
            if (saga.owner() != null && saga.owner().lock().equals(lock)) {
                return true;
            }
        }
        return false;
    }

    private static Step layerStep(LayerEntry l) {
        String who = l.owner() == null ? "its writer (a Cairn before sagas had owners) ended"
                : "its owner, " + l.owner() + ", ended";
        return l.state() == LayerState.REMOVING
                ? new Step(Action.FINISH_DELETE, l.id().hex(), "LayerDeleteStarted without LayerDeleted: " + who)
                : new Step(Action.ROLL_BACK_LAYER, l.id().hex(), "LayerCreated without LayerCommitted: " + who);
    }

    private static Step imageStep(ImageEntry i) {
        String who = "its owner, " + i.owner() + ", ended";
        return i.state() == ImageState.REMOVING
                ? new Step(Action.FINISH_IMAGE_DELETE, i.id().hex(), "ImageDeleteStarted without ImageDeleted: " + who)
                : new Step(Action.ROLL_BACK_IMAGE, i.id().hex(), "ImageCreated without ImageCommitted: " + who);
    }

    private static Step discardUnfinished(StagingEntry s) {
        return new Step(Action.DISCARD_STAGING, s.id().hex(), "owner process " + s.ownerPid() + " on "
                + s.ownerHost() + " ended before the staging finished");
    }

    /** The step for a finished staging ({@code STAGED} or {@code APPLIED}), or null if it is to be kept. */
    private static Step stagingStep(StagingEntry s, RecoveryDisk disk, Instant now, Duration maxAge)
            throws IOException {
        if (s.state() == StagingState.STARTED || s.pendingLayer() != null && s.state() == StagingState.STAGED) {
            return null; // a stage's own saga, or an apply's: their owners decide
        }
        String sid = s.id().hex();
        if (!disk.stagingFolderExists(s.id())) {
            return new Step(Action.CLEAN_STAGING, sid, "its folder is gone: a cleanup was cut short");
        }
        if (s.state() == StagingState.STAGED && !disk.stagedContentsExist(s.id())) {
            return new Step(Action.DISCARD_STAGING, sid, "staged contents are missing");
        }
        if (s.ephemeral()) {
            String why = "the image import that staged it (process " + s.ownerPid() + " on " + s.ownerHost()
                    + ") ended";
            return s.state() == StagingState.APPLIED ? new Step(Action.CLEAN_STAGING, sid, "applied, and " + why)
                    : new Step(Action.DISCARD_STAGING, sid, why);
        }
        if (maxAge != null && s.staged() != null && s.staged().plus(maxAge).isBefore(now)) {
            return s.state() == StagingState.APPLIED
                    ? new Step(Action.CLEAN_STAGING, sid, "applied, and staged " + s.staged() + ", older than " + maxAge)
                    : new Step(Action.DISCARD_STAGING, sid, "staged " + s.staged() + ", older than " + maxAge);
        }
        return null;
    }

    private static final String BLOBS = "blobs/sha256/";
    private static final String BLOB_TEMPORARIES = "blobs/tmp/";

    private static Step orphan(String path) {
        return new Step(Action.REMOVE_ORPHAN, path, "no journal event accounts for it");
    }

    private static void release(SagaLocks.Held held, boolean forget) throws IOException {
        if (forget) {
            held.closeAndForget();
        } else {
            held.close();
        }
    }

    private void record(Event e) throws IOException {
        List<JournalRecord> r = journal.appendAll(List.of(e), actor);
        index.accept(r);
        done.addAll(r);
    }
}
