package dev.cairn.store;

import dev.cairn.model.StoreLockedException;
import dev.cairn.model.internal.FaultPoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Several processes on one store (DESIGN.md section 3), each a real child JVM: writers share the lock per critical
 * section, a writer killed inside one does not block the next, a live process's staging survives another's
 * recovery, and readers in another process see new layers.
 */
class LayerStoreProcessesTest {

    @TempDir
    Path root;

    @Test
    void twoProcessesPuttingAtOnceBothSucceed() throws Exception {
        LayerStore.open(root).close();
        try (ChildJvm a = ChildJvm.start(root, "put-one", 1); ChildJvm b = ChildJvm.start(root, "put-one", 2)) {
            String idA = a.await("ACK ").substring(4);
            String idB = b.await("ACK ").substring(4);
            assertThat(a.exitStatus()).as("a said %s", a.said()).isZero();
            assertThat(b.exitStatus()).as("b said %s", b.said()).isZero();
            try (LayerStore store = LayerStore.open(root)) {
                assertThat(store.layer(idA).names()).containsExactly("n1");
                assertThat(store.layer(idB).names()).containsExactly("n2");
                StoreInvariants.check(store);
            }
        }
    }

    @Test
    void aWriterMeetingAnotherProcesssLiveSagaWaitsForItAndGetsItsLayer() throws Exception {
        try (ChildJvm holder = ChildJvm.start(root, "apply", 1,
                "-Dcairn.test.pauseAt=" + FaultPoints.LAYER_MOVED, "-Dcairn.test.pauseMs=3000")) {
            holder.await("PAUSED"); // its apply is past LayerCreated, outside the writers' lock, holding its owner lock
            try (LayerStore store = LayerStore.open(root, StoreOptions.defaults().withLockTimeout(Duration.ofMinutes(2)))) {
                assertThat(store.recoveryPlan().inProgress()).as("the child's saga is alive").hasSize(1);
                StagedLayer same = store.stage(new java.io.ByteArrayInputStream(TestTars.layer(1, 20)));

                AppliedLayer applied = store.applyStaged(same.id(), LayerSpec.base());

                assertThat(applied.duplicate()).as("waited for the child's layer of the same id").isTrue();
                assertThat(store.layers()).hasSize(1);
                store.cleanupStaged(same.id());
            }
            assertThat(holder.exitStatus()).as("the child said %s", holder.said()).isZero();
            try (LayerStore store = LayerStore.open(root)) {
                StoreInvariants.check(store);
            }
        }
    }

    @Test
    void aWriterThatWaitsTooLongIsRefusedWithTheLockNamedAndAKilledHolderBlocksNoOne() throws Exception {
        StoreOptions impatient = StoreOptions.defaults().withLockTimeout(Duration.ofMillis(300));
        try (ChildJvm holder = ChildJvm.start(root, "names", 1,
                "-Dcairn.test.pauseAt=" + FaultPoints.NAMES_SET, "-Dcairn.test.pauseMs=600000")) {
            holder.await("PAUSED"); // inside the writers' lock
            try (LayerStore store = LayerStore.open(root, impatient)) {
                assertThatThrownBy(() -> store.create(LayerSpec.base()))
                        .isInstanceOf(StoreLockedException.class)
                        .hasMessageContaining(root.resolve("store.lock").toString())
                        .hasMessageContaining("300 ms");
                holder.kill(); // SIGKILL while it holds the writers' lock
                assertThat(store.create(LayerSpec.base().withName("after")).duplicate()).isFalse();
            }
        }
        try (ChildJvm holder = ChildJvm.start(root, "apply", 2,
                "-Dcairn.test.pauseAt=" + FaultPoints.LAYER_MOVED, "-Dcairn.test.pauseMs=600000")) {
            String sid = holder.await("STAGED ").substring(7);
            holder.await("PAUSED"); // holding the staging's lock, its layer INCOMPLETE
            try (LayerStore store = LayerStore.open(root, impatient)) {
                StagedLayer same = store.stage(new java.io.ByteArrayInputStream(TestTars.layer(2, 20)));
                assertThatThrownBy(() -> store.applyStaged(same.id(), LayerSpec.base()))
                        .as("waits for the live saga on the same layer id, then gives up naming its lock")
                        .isInstanceOf(StoreLockedException.class)
                        .hasMessageContaining(root.resolve("owners").resolve(sid).toString());
                store.cleanupStaged(same.id());
            }
            holder.kill(); // SIGKILL in the middle of its apply
        }
        try (LayerStore store = LayerStore.open(root, StoreOptions.defaults().withLockTimeout(Duration.ofMinutes(2)))) {
            assertThat(store.recoveryReport().actions()).extracting(a -> a.event().type())
                    .containsExactly("LayerRolledBack");
            StoreInvariants.check(store);
            assertThat(store.staged()).as("the staging got its contents back and can be applied").hasSize(1);
            store.applyStaged(store.staged().get(0).id(), LayerSpec.base());
            StoreInvariants.check(store);
        }
    }

    @Test
    void aStagingOwnedByALiveProcessSurvivesAnotherProcessesRecovery() throws Exception {
        LayerStore.open(root).close();
        byte[] tar = TestTars.layer(5, 200);
        try (ChildJvm slow = ChildJvm.start(root, "stage-stdin-then-apply", 5)) {
            slow.await("READY");
            OutputStream toChild = slow.process().getOutputStream();
            toChild.write(tar, 0, tar.length / 2);
            toChild.flush();
            Path staging = root.resolve("staging");
            while (StoreInvariants.list(staging).isEmpty()) {
                assertThat(slow.process().isAlive()).as("the child said %s", slow.said()).isTrue();
                Thread.sleep(20);
            }
            String sid = StoreInvariants.list(staging).get(0);
            try (LayerStore other = LayerStore.open(root)) {
                assertThat(other.recoveryReport().actions()).as("recovery left the live staging alone").isEmpty();
                assertThat(staging.resolve(sid)).isDirectory();
            }
            toChild.write(tar, tar.length / 2, tar.length - tar.length / 2);
            toChild.close();
            assertThat(slow.await("STAGED ")).isEqualTo("STAGED " + sid);
            String id = slow.await("ACK ").substring(4);
            assertThat(slow.exitStatus()).as("the child said %s", slow.said()).isZero();
            try (LayerStore store = LayerStore.open(root)) {
                assertThat(store.layer(id).names()).containsExactly("slow");
                StoreInvariants.check(store);
            }
        }
    }

    @Test
    void aReadOnlyStoreInThisProcessSeesAnotherProcessesPut() throws Exception {
        LayerStore.open(root).close();
        try (LayerStore reader = LayerStore.openReadOnly(root, StoreOptions.defaults());
             ChildJvm writer = ChildJvm.start(root, "put-one", 3)) {
            assertThat(reader.layers()).isEmpty();
            String id = writer.await("ACK ").substring(4);
            assertThat(reader.findLayer(id)).as("seen without reopening").isPresent();
            assertThat(reader.layer("n3").id().hex()).isEqualTo(id);
            assertThat(Files.isDirectory(reader.contentsOf(id))).isTrue();
            assertThat(writer.exitStatus()).isZero();
        }
    }

    /**
     * Issue 8, bug 1: a staging that finishes (DiffStaged, then its owner lock dropped) while another process's
     * recovery works from a view of the journal taken before DiffStaged must survive: recovery may only discard what
     * is dead as of the journal's head.
     */
    @Test
    void aStagingThatFinishesWhileAnotherProcessRecoversFromAnOlderViewIsKept() throws Exception {
        LayerStore.open(root).close();
        byte[] tar = TestTars.layer(6, 200);
        Path go = root.resolveSibling(root.getFileName() + "-go");
        try (ChildJvm stager = ChildJvm.start(root, "stage-stdin", 6)) {
            stager.await("READY");
            OutputStream toStager = stager.process().getOutputStream();
            toStager.write(tar, 0, tar.length / 2);
            toStager.flush();
            while (StoreInvariants.list(root.resolve("staging")).isEmpty()) {
                assertThat(stager.process().isAlive()).as("the stager said %s", stager.said()).isTrue();
                Thread.sleep(20);
            }
            try (ChildJvm recoverer = ChildJvm.start(root, "open", 1,
                    "-Dcairn.test.pauseAt=" + FaultPoints.RECOVERY_PLANNED, "-Dcairn.test.pauseUntil=" + go)) {
                recoverer.await("PAUSED");
                toStager.write(tar, tar.length / 2, tar.length - tar.length / 2);
                toStager.close();
                String sid = stager.await("STAGED ").substring(7);
                assertThat(stager.exitStatus()).as("the stager said %s", stager.said()).isZero();
                Files.createFile(go); // the recoverer goes on, from its view of before DiffStaged
                assertThat(recoverer.exitStatus()).as("the recoverer said %s", recoverer.said()).isZero();

                try (LayerStore store = LayerStore.open(root)) {
                    assertThat(store.staged()).extracting(s -> s.id().hex()).containsExactly(sid);
                    store.applyStaged(dev.cairn.model.StagingId.of(sid), LayerSpec.base().withName("kept"));
                    StoreInvariants.check(store);
                }
            }
        } finally {
            Files.deleteIfExists(go);
        }
    }

    /**
     * Issue 8, bug 2: writers started together on a root that does not exist yet all succeed, and a reader polling
     * meanwhile sees no store or a whole one, never a half-made one.
     */
    @Test
    void writersCreatingTheStoreTogetherAllSucceedAndAReaderSeesNoStoreOrAWholeOne() throws Exception {
        Path store = root.resolve("new-store");
        Path go = root.resolve("go");
        List<ChildJvm> writers = new java.util.ArrayList<>();
        try (ChildJvm reader = ChildJvm.start(store, "poll-read-only", 20_000, "-Dcairn.test.startAt=" + go)) {
            for (int i = 1; i <= 4; i++) {
                writers.add(ChildJvm.start(store, "put-one", i, "-Dcairn.test.startAt=" + go));
            }
            Thread.sleep(1500); // every JVM started and waiting
            Files.createFile(go);
            for (ChildJvm w : writers) {
                assertThat(w.exitStatus()).as("a writer said %s", w.said()).isZero();
            }
            reader.kill();
            assertThat(reader.said()).as("what the reader saw").noneMatch(l -> l.startsWith("ERROR"));
        } finally {
            for (ChildJvm w : writers) {
                w.close();
            }
        }
        try (LayerStore s = LayerStore.open(store)) {
            assertThat(s.layers()).hasSize(4);
            StoreInvariants.check(s);
        }
    }

    /**
     * Issue 8, bug 3: after another process died in the middle of a stage, a read-only open says what recovery would
     * do (changing nothing), and a store opened before the death runs it on demand, without reopening.
     */
    @Test
    void whatRecoveryWouldDoIsShownReadOnlyAndRunOnDemand() throws Exception {
        try (LayerStore longLived = LayerStore.open(root)) {
            try (ChildJvm dying = ChildJvm.start(root, "stage", 3, "-Dcairn.crashAt=" + FaultPoints.STAGING_EXTRACTED)) {
                assertThat(dying.exitStatus()).as("halted; said %s", dying.said()).isEqualTo(137);
            }
            String sid = StoreInvariants.list(root.resolve("staging")).get(0);
            long seq = longLived.lastSeq();
            try (LayerStore reader = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
                dev.cairn.model.RecoveryPlan plan = reader.recoveryPlan();
                assertThat(plan.steps()).extracting(dev.cairn.model.RecoveryPlan.Step::action,
                        dev.cairn.model.RecoveryPlan.Step::subject)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(
                                dev.cairn.model.RecoveryPlan.Action.DISCARD_STAGING, sid));
                assertThat(reader.verify(false).pendingRecovery()).isEqualTo(plan.steps());
            }
            assertThat(root.resolve("staging").resolve(sid)).as("nothing changed").isDirectory();
            assertThat(longLived.lastSeq()).isEqualTo(seq);

            dev.cairn.model.RecoveryReport report = longLived.recover();

            assertThat(report.actions()).extracting(r -> r.event().type()).containsExactly("StagingDiscarded");
            assertThat(root.resolve("staging").resolve(sid)).as("its disk space is back").doesNotExist();
            assertThat(longLived.recoveryPlan().clean()).isTrue();
            StoreInvariants.check(longLived);
        }
    }
}
