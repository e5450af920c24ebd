package dev.cairn.recovery;

import dev.cairn.journal.Journal;
import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerState;
import dev.cairn.model.StagingId;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.projection.LayerEntry;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.LiveIndex;
import dev.cairn.projection.StagingEntry;
import dev.cairn.projection.StagingState;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The recovery replayer (DESIGN.md section 3): finds every saga in the journal that has a start but no end and
 * finishes it from the journal and the disk alone, journaling each action.
 *
 * <table>
 *   <caption>What each unfinished saga becomes</caption>
 *   <tr><th>found</th><th>done</th><th>journaled</th></tr>
 *   <tr><td>layer {@code REMOVING}</td><td>its files removed</td><td>{@code LayerDeleted}</td></tr>
 *   <tr><td>layer {@code INCOMPLETE}</td><td>moved back into its staging if that still wants it, else removed</td>
 *       <td>{@code LayerRolledBack}</td></tr>
 *   <tr><td>staging {@code STARTED}, owner dead</td><td>removed</td><td>{@code StagingDiscarded}</td></tr>
 *   <tr><td>staging whose folder is gone (cleanup cut short)</td><td>rest removed</td><td>{@code StagingCleaned}</td></tr>
 *   <tr><td>staging {@code STAGED} without its contents</td><td>removed</td><td>{@code StagingDiscarded}</td></tr>
 *   <tr><td>staging older than the configured age</td><td>removed</td>
 *       <td>{@code StagingDiscarded} ({@code StagingCleaned} if applied)</td></tr>
 *   <tr><td>a file in {@code layers/}, {@code staging/} or {@code trash/} that no event accounts for</td>
 *       <td>removed</td><td>{@code OrphanRemoved}</td></tr>
 * </table>
 *
 * Each action changes the disk first and journals after (with a {@link FaultPoints} point between the two), and
 * every disk change is idempotent, so a crash during
 * recovery is recovered by running it again. The caller must hold the store's writer lock: recovery assumes that no
 * other writer is inside a critical section, which is what makes an {@code INCOMPLETE} layer a dead one.
 */
public final class Recovery {

    /** The reason written for a layer created but never committed. */
    public static final String NO_COMMIT = "LayerCreated without LayerCommitted: the apply did not finish";

    private final Journal journal;
    private final LiveIndex index;
    private final RecoveryDisk disk;
    private final Actor actor;
    private final List<JournalRecord> done = new ArrayList<>();

    private Recovery(Journal journal, LiveIndex index, RecoveryDisk disk, Actor actor) {
        this.journal = journal;
        this.index = index;
        this.disk = disk;
        this.actor = actor;
    }

    /**
     * Runs recovery to the end.
     *
     * @param now           the time against which staging ages are measured
     * @param stagingMaxAge a finished staging older than this is discarded; {@code null} keeps them forever
     */
    public static RecoveryReport run(Journal journal, LiveIndex index, RecoveryDisk disk, Actor actor, Instant now,
                                     Duration stagingMaxAge) throws IOException {
        Recovery r = new Recovery(journal, index, disk, actor);
        r.finishLayers();
        r.finishStagings(now, stagingMaxAge);
        r.removeOrphans();
        return new RecoveryReport(r.done);
    }

    /**
     * Only the layer sagas: cheap (no folder listing), for a writer that finds, under the lock, a layer another
     * process left unfinished.
     */
    public static RecoveryReport finishLayerSagas(Journal journal, LiveIndex index, RecoveryDisk disk, Actor actor)
            throws IOException {
        Recovery r = new Recovery(journal, index, disk, actor);
        r.finishLayers();
        return new RecoveryReport(r.done);
    }

    private void finishLayers() throws IOException {
        LayerIndex idx = index.catchUp();
        for (LayerEntry l : idx.entries()) {
            if (l.state() == LayerState.REMOVING) {
                disk.removeLayer(l.id());
                FaultPoints.reach(FaultPoints.RECOVERY_LAYER_REMOVED);
                record(new Event.LayerDeleted(l.id()));
            }
        }
        for (LayerEntry l : index.current().entries()) {
            if (l.state() == LayerState.INCOMPLETE) {
                rollBack(l);
            }
        }
    }

    private void rollBack(LayerEntry l) throws IOException {
        StagingId s = l.staging();
        boolean stagingWantsItBack = s != null && index.current().staging(s)
                .filter(st -> st.state() == StagingState.STAGED && l.id().equals(st.pendingLayer())).isPresent();
        if (stagingWantsItBack && !disk.stagedContentsExist(s) && disk.layerFolderExists(l.id())
                && disk.stagingFolderExists(s)) {
            disk.restoreStagedContents(l.id(), s);
            FaultPoints.reach(FaultPoints.RECOVERY_LAYER_RESTORED);
        }
        disk.removeLayer(l.id());
        FaultPoints.reach(FaultPoints.RECOVERY_LAYER_ROLLED_BACK);
        record(new Event.LayerRolledBack(l.id(), NO_COMMIT));
    }

    private void finishStagings(Instant now, Duration maxAge) throws IOException {
        for (StagingEntry s : index.current().stagings()) {
            StagingId id = s.id();
            switch (s.state()) {
                case STARTED -> {
                    if (!disk.stagingOwnerAlive(id)) {
                        disk.removeStaging(id);
                        FaultPoints.reach(FaultPoints.RECOVERY_STAGING_REMOVED);
                        record(new Event.StagingDiscarded(id, "owner process " + s.ownerPid() + " on "
                                + s.ownerHost() + " ended before the staging finished"));
                    }
                }
                case STAGED -> {
                    if (!disk.stagingFolderExists(id)) {
                        disk.removeStaging(id);
                        FaultPoints.reach(FaultPoints.RECOVERY_STAGING_REMOVED);
                        record(new Event.StagingCleaned(id));
                    } else if (s.pendingLayer() == null && !disk.stagedContentsExist(id)) {
                        disk.removeStaging(id);
                        FaultPoints.reach(FaultPoints.RECOVERY_STAGING_REMOVED);
                        record(new Event.StagingDiscarded(id, "staged contents are missing"));
                    } else if (tooOld(s, now, maxAge)) {
                        disk.removeStaging(id);
                        FaultPoints.reach(FaultPoints.RECOVERY_STAGING_REMOVED);
                        record(new Event.StagingDiscarded(id, "staged " + s.staged() + ", older than " + maxAge));
                    }
                }
                case APPLIED -> {
                    if (!disk.stagingFolderExists(id) || tooOld(s, now, maxAge)) {
                        disk.removeStaging(id);
                        FaultPoints.reach(FaultPoints.RECOVERY_STAGING_REMOVED);
                        record(new Event.StagingCleaned(id));
                    }
                }
                default -> throw new IllegalStateException("unknown staging state " + s.state());
            }
        }
    }

    private static boolean tooOld(StagingEntry s, Instant now, Duration maxAge) {
        return maxAge != null && s.staged() != null && s.staged().plus(maxAge).isBefore(now);
    }

    private void removeOrphans() throws IOException {
        LayerIndex idx = index.catchUp();
        Set<String> layers = new HashSet<>();
        idx.entries().forEach(l -> layers.add(l.id().hex()));
        Set<String> stagings = new HashSet<>();
        idx.stagings().forEach(s -> stagings.add(s.id().hex()));
        for (String name : disk.layerFolders()) {
            if (!layers.contains(name)) {
                orphan("layers/" + name);
            }
        }
        for (String name : disk.stagingFolders()) {
            if (!stagings.contains(name)) {
                orphan("staging/" + name);
            }
        }
        for (String name : disk.trashEntries()) {
            orphan("trash/" + name);
        }
    }

    private void orphan(String relativePath) throws IOException {
        disk.removeOrphan(relativePath);
        FaultPoints.reach(FaultPoints.RECOVERY_ORPHAN_REMOVED);
        record(new Event.OrphanRemoved(relativePath, "no journal event accounts for it"));
    }

    private void record(Event e) throws IOException {
        JournalRecord r = journal.append(e, actor);
        index.catchUpTo(r.seq());
        done.add(r);
    }

}
