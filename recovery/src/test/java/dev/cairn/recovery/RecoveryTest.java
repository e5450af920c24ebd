package dev.cairn.recovery;

import dev.cairn.journal.InMemoryJournal;
import dev.cairn.model.Actor;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.ImageId;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.OpenSaga;
import dev.cairn.model.RecoveryPlan;
import dev.cairn.model.RecoveryReport;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.StagingId;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.LiveIndex;
import dev.cairn.projection.StagingState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recovery's decisions, saga by saga, each cut after each of its durable steps. The disk is a model (a set of
 * paths) so each state is exact; the store's tests do the same over real folders and killed processes.
 */
class RecoveryTest {

    private final InMemoryJournal journal = new InMemoryJournal();
    private final ModelDisk disk = new ModelDisk();
    private final ModelLocks locks = new ModelLocks();
    private final Actor actor = Actor.process();
    private final StagingId s = StagingId.random();
    private final LayerId l = LayerId.of(Digest.sha256("l".getBytes(StandardCharsets.UTF_8)).hex());
    private LiveIndex live;

    @AfterEach
    void close() throws IOException {
        FaultPoints.install(null);
        if (live != null) {
            live.close();
        }
        journal.close();
    }

    private void history(Event... events) throws IOException {
        for (Event e : events) {
            journal.append(e, actor);
        }
    }

    private RecoveryReport recover() throws IOException {
        live = LiveIndex.follow(journal, LayerIndex.empty());
        return new Recovery(journal, live, disk, locks, actor).run(Instant.now(), Duration.ofDays(7));
    }

    private RecoveryPlan plan() throws IOException {
        live = LiveIndex.follow(journal, LayerIndex.empty());
        return Recovery.plan(live, disk, locks, Instant.now(), Duration.ofDays(7));
    }

    private List<String> types(RecoveryReport r) {
        List<String> out = new ArrayList<>();
        for (JournalRecord rec : r.actions()) {
            out.add(rec.event().type());
        }
        return out;
    }

    private Event.DiffStaged diffStaged() {
        Digest d = Digest.sha256(new byte[]{1});
        return new Event.DiffStaged(s, d, 10, d, 10, Compression.NONE);
    }

    // --- stage ---------------------------------------------------------------------------------------------------

    @Test
    void folderMadeBeforeStagingStartedIsAnOrphan() throws IOException {
        disk.paths.add("staging/" + s.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("OrphanRemoved");
        assertThat(disk.paths).isEmpty();
    }

    @Test
    void stagingCutBeforeDiffStagedIsDiscardedWhenItsOwnerIsDead() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("staging/" + s.hex() + "/layer");

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("StagingDiscarded");
        assertThat(disk.paths).isEmpty();
        assertThat(live.current().stagings()).isEmpty();
    }

    @Test
    void stagingOfALiveOwnerIsNeverTouched() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"));
        disk.paths.add("staging/" + s.hex());
        locks.live.add(s.hex());

        RecoveryReport r = recover();

        assertThat(r.clean()).isTrue();
        assertThat(disk.paths).containsExactly("staging/" + s.hex());
    }

    @Test
    void finishedStagingSurvives() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged());
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("staging/" + s.hex() + "/layer");

        assertThat(recover().clean()).isTrue();
        assertThat(live.current().staging(s)).get().extracting(e -> e.state()).isEqualTo(StagingState.STAGED);
    }

    @Test
    void finishedStagingOlderThanTheLimitIsDiscarded() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged());
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("staging/" + s.hex() + "/layer");
        live = LiveIndex.follow(journal, LayerIndex.empty());

        RecoveryReport r = new Recovery(journal, live, disk, locks, actor).run(Instant.now().plus(Duration.ofDays(8)),
                Duration.ofDays(7));

        assertThat(types(r)).containsExactly("StagingDiscarded");
        assertThat(disk.paths).isEmpty();
    }

    // --- apply ---------------------------------------------------------------------------------------------------

    @Test
    void applyCutAfterLayerCreatedRollsBackAndKeepsTheStaging() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged(), new Event.LayerCreated(l, null, List.of("n"), s, ""));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("staging/" + s.hex() + "/layer");

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("LayerRolledBack");
        assertThat(disk.paths).containsExactlyInAnyOrder("staging/" + s.hex(), "staging/" + s.hex() + "/layer");
        assertThat(live.current().nameHolder("n")).isEmpty();
        assertThat(live.current().staging(s).orElseThrow().state()).isEqualTo(StagingState.STAGED);
    }

    @Test
    void applyCutAfterTheMoveMovesTheContentsBack() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged(), new Event.LayerCreated(l, null, List.of(), s, ""));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("layers/" + l.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("LayerRolledBack");
        assertThat(disk.paths).containsExactlyInAnyOrder("staging/" + s.hex(), "staging/" + s.hex() + "/layer");
        assertThat(live.current().entries()).isEmpty();
    }

    @Test
    void committedApplyIsLeftAloneAndItsStagingAwaitsCleanup() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged(), new Event.LayerCreated(l, null, List.of(), s, ""),
                new Event.LayerCommitted(l, diffStaged().diffDigest(), 10, null, null, null));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("layers/" + l.hex());

        assertThat(recover().clean()).isTrue();
        assertThat(live.current().layer(l)).isPresent();
    }

    /** put removes the staging's (empty) folder just before its commit: a cut there leaves the staging folderless. */
    @Test
    void aPutCutAfterItRemovedTheStagingsFolderIsRolledBackAndItsStagingCleanedInOneRecovery() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged(),
                new Event.LayerCreated(l, null, List.of("n"), s, "", SagaOwner.ofStaging(s, 42, "h")));
        disk.paths.add("layers/" + l.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("LayerRolledBack", "StagingCleaned");
        assertThat(disk.paths).isEmpty();
        live.close();
        assertThat(plan().clean()).as("nothing left for the next recovery").isTrue();
    }

    @Test
    void emptyLayerCreateCutBeforeCommitIsRemoved() throws IOException {
        history(new Event.LayerCreated(l, null, List.of(), null, ""));
        disk.paths.add("layers/" + l.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("LayerRolledBack");
        assertThat(disk.paths).isEmpty();
    }

    // --- cleanup ---------------------------------------------------------------------------------------------------

    @Test
    void cleanupCutAfterTheRenameIsFinished() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged());
        disk.paths.add("trash/staging-" + s.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("StagingCleaned");
        assertThat(disk.paths).isEmpty();
    }

    // --- delete ----------------------------------------------------------------------------------------------------

    @Test
    void deleteCutAfterDeleteStartedIsFinished() throws IOException {
        history(new Event.LayerCreated(l, null, List.of(), null, ""),
                new Event.LayerCommitted(l, diffStaged().diffDigest(), 10, null, null, null),
                new Event.LayerDeleteStarted(l));
        disk.paths.add("layers/" + l.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("LayerDeleted");
        assertThat(disk.paths).isEmpty();
    }

    @Test
    void deleteCutAfterTheRenameIsFinished() throws IOException {
        history(new Event.LayerCreated(l, null, List.of(), null, ""),
                new Event.LayerCommitted(l, diffStaged().diffDigest(), 10, null, null, null),
                new Event.LayerDeleteStarted(l));
        disk.paths.add("trash/" + l.hex());

        assertThat(types(recover())).containsExactly("LayerDeleted");
        assertThat(disk.paths).isEmpty();
    }

    // --- recovery itself -------------------------------------------------------------------------------------------

    @Test
    void recoveryIsIdempotentAndACrashInsideItIsRecoveredByRunningItAgain() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged(), new Event.LayerCreated(l, null, List.of(), s, ""));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("layers/" + l.hex());
        disk.paths.add("layers/" + "f".repeat(64));
        // A crash after the first disk change and before its event: the move back happened, nothing journaled.
        disk.restoreStagedContents(l, s);

        RecoveryReport first = recover();
        live.close();
        RecoveryReport second = recover();

        assertThat(types(first)).containsExactly("LayerRolledBack", "OrphanRemoved");
        assertThat(second.clean()).isTrue();
        assertThat(disk.paths).containsExactlyInAnyOrder("staging/" + s.hex(), "staging/" + s.hex() + "/layer");
    }

    // --- owners and the journal's head ----------------------------------------------------------------------------

    @Test
    void aStagingThatFinishesAfterRecoveryPlannedIsKept() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("staging/" + s.hex() + "/layer");
        // Between the plan (which saw STARTED and a free lock) and its step, the owner finishes and lets go.
        FaultPoints.install(point -> {
            if (point.equals(FaultPoints.RECOVERY_PLANNED)) {
                try {
                    journal.append(diffStaged(), actor);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });

        RecoveryReport r = recover();

        assertThat(r.clean()).as("decided again at the head: the staging finished").isTrue();
        assertThat(live.current().staging(s).orElseThrow().state()).isEqualTo(StagingState.STAGED);
        assertThat(disk.paths).contains("staging/" + s.hex() + "/layer");
    }

    @Test
    void aLayerSagaOfALiveOwnerIsLeftAloneAndOneOfADeadOwnerIsRolledBack() throws IOException {
        SagaOwner alive = new SagaOwner("a".repeat(32), 7, "h");
        SagaOwner dead = new SagaOwner("d".repeat(32), 8, "h");
        LayerId other = LayerId.of(Digest.sha256("o".getBytes(StandardCharsets.UTF_8)).hex());
        history(new Event.LayerCreated(l, null, List.of("n"), null, "", alive),
                new Event.LayerCreated(other, null, List.of(), null, "", dead));
        disk.paths.add("layers/" + l.hex());
        disk.paths.add("layers/" + other.hex());
        locks.live.add(alive.lock());

        RecoveryPlan plan = plan();
        RecoveryReport r = recover();

        assertThat(plan.inProgress()).extracting(saga -> saga.subject()).containsExactly(l.hex());
        assertThat(plan.steps()).extracting(RecoveryPlan.Step::subject).containsExactly(other.hex());
        assertThat(types(r)).containsExactly("LayerRolledBack");
        assertThat(disk.paths).containsExactly("layers/" + l.hex());
        assertThat(live.current().nameHolder("n")).contains(l);
        assertThat(locks.files).as("the dead owner's lock file is gone").doesNotContain(dead.lock());
    }

    @Test
    void thePlanChangesNothingAndTheRunDoesWhatItSaid() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), new Event.LayerCreated(l, null, List.of(), null, ""));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("layers/" + l.hex());
        disk.paths.add("trash/" + "b".repeat(32));
        Set<String> before = new TreeSet<>(disk.paths);
        long seq = journal.lastSeq();

        RecoveryPlan plan = plan();

        assertThat(disk.paths).isEqualTo(before);
        assertThat(journal.lastSeq()).isEqualTo(seq);
        assertThat(plan.steps()).extracting(RecoveryPlan.Step::action).containsExactly(
                RecoveryPlan.Action.ROLL_BACK_LAYER, RecoveryPlan.Action.DISCARD_STAGING,
                RecoveryPlan.Action.REMOVE_ORPHAN);
        live.close();
        assertThat(types(recover())).containsExactlyElementsOf(
                plan.steps().stream().map(step -> step.action().event()).toList());
        assertThat(disk.paths).isEmpty();
    }

    @Test
    void aTrashEntryIsLeftWhileItsOwnerRemovesIt() throws IOException {
        String removing = "c".repeat(32);
        disk.paths.add("trash/" + removing);
        locks.live.add(removing);

        assertThat(recover().clean()).isTrue();
        assertThat(disk.paths).containsExactly("trash/" + removing);
    }

    @Test
    void aDeleteWithAnOwnerRemovesWhatItMovedIntoTheTrash() throws IOException {
        SagaOwner deleter = new SagaOwner("e".repeat(32), 9, "h");
        history(new Event.LayerCreated(l, null, List.of(), null, ""),
                new Event.LayerCommitted(l, diffStaged().diffDigest(), 10, null, null, null),
                new Event.LayerDeleteStarted(l, deleter));
        disk.paths.add("trash/" + deleter.lock());

        assertThat(types(recover())).containsExactly("LayerDeleted");
        assertThat(disk.paths).isEmpty();
    }

    // --- images ---------------------------------------------------------------------------------------------------

    private static final SagaOwner IMPORTER = new SagaOwner("1".repeat(32), 11, "h");
    private static final SagaOwner OTHER = new SagaOwner("2".repeat(32), 12, "h");

    private static BlobRef blob(String content) {
        return new BlobRef(Digest.sha256(content.getBytes(StandardCharsets.UTF_8)), content.length());
    }

    private static ImageId image(String name) {
        return ImageId.of(blob(name).digest().hex());
    }

    private static Event.ImageCreated created(ImageId id, SagaOwner owner, LayerId layer, BlobRef... blobs) {
        return new Event.ImageCreated(id, blobs[0].digest(), "application/vnd.oci.image.manifest.v1+json",
                blobs[0].size(), blobs[1].digest(), blobs[1].size(), List.of(layer), List.of(blobs), null, owner);
    }

    private Event.LayerCommitted committed(LayerId layer) {
        return new Event.LayerCommitted(layer, diffStaged().diffDigest(), 10, null, null, null);
    }

    @Test
    void anImportCutBeforeItsCommitIsRolledBackRemovingOnlyTheBlobsNoOtherImageHolds() throws IOException {
        BlobRef m1 = blob("m1");
        BlobRef c1 = blob("c1");
        BlobRef shared = blob("layer");
        BlobRef m2 = blob("m2");
        BlobRef c2 = blob("c2");
        ImageId done = image("c2");
        ImageId cut = image("c1");
        history(new Event.LayerCreated(l, null, List.of(), null, ""), committed(l),
                created(done, OTHER, l, m2, c2, shared), new Event.ImageCommitted(done, List.of("app:1")),
                created(cut, IMPORTER, l, m1, c1, shared));
        for (BlobRef b : List.of(m1, c1, shared, m2, c2)) {
            disk.paths.add("blobs/sha256/" + b.digest().hex());
        }
        disk.paths.add("blobs/tmp/" + IMPORTER.lock() + "-0011");
        disk.paths.add("layers/" + l.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("ImageRolledBack");
        assertThat(disk.paths).containsExactlyInAnyOrder("layers/" + l.hex(), "blobs/sha256/" + shared.digest().hex(),
                "blobs/sha256/" + m2.digest().hex(), "blobs/sha256/" + c2.digest().hex());
        assertThat(live.current().images().entry(cut)).isEmpty();
        assertThat(live.current().layer(l)).as("its layers stay").isPresent();
        assertThat(live.current().images().imagesUsing(l)).containsExactly(done);
        assertThat(locks.files).doesNotContain(IMPORTER.lock());
    }

    @Test
    void aDeleteCutShortIsFinishedAndAnImportOfALiveOwnerIsLeftAlone() throws IOException {
        BlobRef m1 = blob("m1");
        BlobRef c1 = blob("c1");
        BlobRef m2 = blob("m2");
        BlobRef c2 = blob("c2");
        ImageId deleting = image("c1");
        ImageId importing = image("c2");
        SagaOwner deleter = new SagaOwner("3".repeat(32), 13, "h");
        history(new Event.LayerCreated(l, null, List.of(), null, ""), committed(l),
                created(deleting, OTHER, l, m1, c1), new Event.ImageCommitted(deleting, List.of("x")),
                new Event.ImageDeleteStarted(deleting, deleter), created(importing, IMPORTER, l, m2, c2));
        for (BlobRef b : List.of(m1, c1, m2, c2)) {
            disk.paths.add("blobs/sha256/" + b.digest().hex());
        }
        disk.paths.add("blobs/tmp/" + IMPORTER.lock() + "-0011");
        locks.live.add(IMPORTER.lock());

        RecoveryPlan plan = plan();
        live.close();
        RecoveryReport r = recover();

        assertThat(plan.inProgress()).extracting(OpenSaga::subject).containsExactly(importing.hex());
        assertThat(plan.steps()).extracting(RecoveryPlan.Step::action)
                .containsExactly(RecoveryPlan.Action.FINISH_IMAGE_DELETE);
        assertThat(types(r)).containsExactly("ImageDeleted");
        assertThat(disk.paths).containsExactlyInAnyOrder("blobs/sha256/" + m2.digest().hex(),
                "blobs/sha256/" + c2.digest().hex(), "blobs/tmp/" + IMPORTER.lock() + "-0011");
    }

    @Test
    void aBlobNoImageHoldsAndATemporaryOfADeadWriterAreOrphans() throws IOException {
        BlobRef m = blob("m");
        BlobRef c = blob("c");
        ImageId id = image("c");
        history(new Event.LayerCreated(l, null, List.of(), null, ""), committed(l), created(id, OTHER, l, m, c),
                new Event.ImageCommitted(id, List.of()));
        disk.paths.add("layers/" + l.hex());
        disk.paths.add("blobs/sha256/" + m.digest().hex());
        disk.paths.add("blobs/sha256/" + c.digest().hex());
        disk.paths.add("blobs/sha256/" + blob("nobody").digest().hex());
        disk.paths.add("blobs/sha256/not-a-digest");
        disk.paths.add("blobs/tmp/" + "4".repeat(32) + "-01");
        disk.paths.add("blobs/tmp/" + "5".repeat(32) + "-02");
        disk.paths.add("blobs/tmp/stray");
        locks.live.add("5".repeat(32));

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("OrphanRemoved", "OrphanRemoved", "OrphanRemoved", "OrphanRemoved");
        assertThat(disk.paths).containsExactlyInAnyOrder("layers/" + l.hex(), "blobs/sha256/" + m.digest().hex(),
                "blobs/sha256/" + c.digest().hex(), "blobs/tmp/" + "5".repeat(32) + "-02");
    }

    @Test
    void anEphemeralStagingGoesWithItsOwnerWhateverItsStateAndAnOrdinaryOneStays() throws IOException {
        StagingId applied = StagingId.random();
        StagingId ordinary = StagingId.random();
        StagingId alive = StagingId.random();
        Digest d = diffStaged().diffDigest();
        history(new Event.StagingStarted(s, 42, "h", true), diffStaged(),
                new Event.StagingStarted(applied, 42, "h", true),
                new Event.DiffStaged(applied, d, 10, d, 10, Compression.NONE),
                new Event.LayerCreated(l, null, List.of(), applied, "", SagaOwner.ofStaging(applied, 42, "h")),
                committed(l),
                new Event.StagingStarted(ordinary, 42, "h"), new Event.DiffStaged(ordinary, d, 10, d, 10,
                        Compression.NONE),
                new Event.StagingStarted(alive, 43, "h", true), new Event.DiffStaged(alive, d, 10, d, 10,
                        Compression.NONE));
        for (StagingId id : List.of(s, ordinary, alive)) {
            disk.paths.add("staging/" + id.hex());
            disk.paths.add("staging/" + id.hex() + "/layer");
        }
        disk.paths.add("staging/" + applied.hex());
        disk.paths.add("layers/" + l.hex());
        locks.live.add(alive.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactlyInAnyOrder("StagingDiscarded", "StagingCleaned");
        assertThat(live.current().staging(s)).isEmpty();
        assertThat(live.current().staging(applied)).isEmpty();
        assertThat(live.current().staging(ordinary)).as("a finished staging survives its process").isPresent();
        assertThat(live.current().staging(alive)).as("its owner lives").isPresent();
        assertThat(live.current().layer(l)).isPresent();
    }

    @Test
    void aCrashAfterAnImagesBlobsAreRemovedIsFinishedByTheNextRecoveryWithOneEvent() throws IOException {
        BlobRef m = blob("m");
        BlobRef c = blob("c");
        ImageId id = image("c");
        history(new Event.LayerCreated(l, null, List.of(), null, ""), committed(l), created(id, IMPORTER, l, m, c));
        disk.paths.add("layers/" + l.hex());
        disk.paths.add("blobs/sha256/" + m.digest().hex());
        FaultPoints.install(point -> {
            if (point.equals(FaultPoints.RECOVERY_IMAGE_BLOBS_REMOVED)) {
                throw new IllegalStateException("crash");
            }
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(this::recover).hasMessage("crash");
        FaultPoints.install(null);
        live.close();

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("ImageRolledBack");
        assertThat(disk.paths).containsExactly("layers/" + l.hex());
    }

    /** Owner locks as sets: which are held by live processes, which files exist, which this process holds. */
    private static final class ModelLocks implements SagaLocks {
        final Set<String> live = new TreeSet<>();
        final Set<String> files = new TreeSet<>();
        final Set<String> held = new TreeSet<>();

        @Override
        public Optional<Held> adopt(String lock) {
            if (live.contains(lock) || held.contains(lock)) {
                return Optional.empty();
            }
            files.add(lock);
            held.add(lock);
            return Optional.of(new Held() {
                @Override
                public void close() {
                    held.remove(lock);
                }

                @Override
                public void closeAndForget() {
                    held.remove(lock);
                    files.remove(lock);
                }
            });
        }

        @Override
        public boolean alive(String lock) {
            return live.contains(lock) || held.contains(lock);
        }

        @Override
        public Held writers() {
            return new Held() {
                @Override
                public void close() {
                }

                @Override
                public void closeAndForget() {
                }
            };
        }

        @Override
        public List<String> lockFiles() {
            return List.copyOf(files);
        }

        @Override
        public void forgetUnfinishedLockFiles() {
            // the model makes each lock file whole at once
        }
    }

    /** The store's folders as a set of relative paths. */
    private static final class ModelDisk implements RecoveryDisk {
        final Set<String> paths = new TreeSet<>();

        private List<String> children(String dir) {
            List<String> out = new ArrayList<>();
            for (String p : paths) {
                if (p.startsWith(dir + "/") && p.indexOf('/', dir.length() + 1) < 0) {
                    out.add(p.substring(dir.length() + 1));
                }
            }
            return out;
        }

        private void removeAll(String prefix) {
            paths.removeIf(p -> p.equals(prefix) || p.startsWith(prefix + "/"));
        }

        @Override
        public List<String> layerFolders() {
            return children("layers");
        }

        @Override
        public List<String> stagingFolders() {
            return children("staging");
        }

        @Override
        public List<String> trashEntries() {
            return children("trash");
        }

        @Override
        public boolean stagingFolderExists(StagingId id) {
            return paths.contains("staging/" + id.hex());
        }

        @Override
        public boolean stagedContentsExist(StagingId id) {
            return paths.contains("staging/" + id.hex() + "/layer");
        }

        @Override
        public boolean layerFolderExists(LayerId id) {
            return paths.contains("layers/" + id.hex());
        }

        @Override
        public void restoreStagedContents(LayerId layer, StagingId staging) {
            paths.remove("layers/" + layer.hex());
            paths.add("staging/" + staging.hex() + "/layer");
        }

        @Override
        public void removeLayer(LayerId id, SagaOwner deleter) {
            removeAll("layers/" + id.hex());
            removeAll("trash/" + id.hex());
            if (deleter != null) {
                removeAll("trash/" + deleter.lock());
            }
        }

        @Override
        public void moveToTrash(String relativePath, String lock) {
            removeAll(relativePath);
            paths.add("trash/" + lock);
        }

        @Override
        public void removeStaging(StagingId id) {
            removeAll("staging/" + id.hex());
            removeAll("trash/staging-" + id.hex());
        }

        @Override
        public void removeOrphan(String relativePath) {
            removeAll(relativePath);
        }

        @Override
        public List<String> blobEntries() {
            return children("blobs/sha256");
        }

        @Override
        public List<String> blobTemporaries() {
            return children("blobs/tmp");
        }

        @Override
        public void removeBlob(String name) {
            paths.remove("blobs/sha256/" + name);
        }

        @Override
        public void syncBlobs() {
        }

        @Override
        public void removeBlobTemporary(String name) {
            removeAll("blobs/tmp/" + name);
        }
    }
}
