package dev.cairn.store;

import dev.cairn.model.StoreLockedException;
import dev.cairn.model.internal.FaultPoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
    void aWriterWaitsForAnotherProcessesCriticalSectionAndThenSucceeds() throws Exception {
        try (ChildJvm holder = ChildJvm.start(root, "apply", 1,
                "-Dcairn.test.pauseAt=" + FaultPoints.LAYER_CREATED, "-Dcairn.test.pauseMs=1500")) {
            holder.await("PAUSED");
            try (LayerStore store = LayerStore.open(root, StoreOptions.defaults().withLockTimeout(Duration.ofMinutes(2)))) {
                // open recovers under the lock: it waited for the child's apply to end, so the layer is whole.
                assertThat(store.layers()).hasSize(1);
                StoreInvariants.check(store);
            }
            assertThat(holder.exitStatus()).as("the child said %s", holder.said()).isZero();
        }
    }

    @Test
    void aWriterThatWaitsTooLongIsRefusedWithTheLockNamedAndAKilledHolderBlocksNoOne() throws Exception {
        try (ChildJvm holder = ChildJvm.start(root, "apply", 1,
                "-Dcairn.test.pauseAt=" + FaultPoints.LAYER_CREATED, "-Dcairn.test.pauseMs=600000")) {
            holder.await("PAUSED");
            assertThatThrownBy(() -> LayerStore.open(root, StoreOptions.defaults()
                    .withLockTimeout(Duration.ofMillis(300))))
                    .isInstanceOf(StoreLockedException.class)
                    .hasMessageContaining(root.resolve("store.lock").toString())
                    .hasMessageContaining("300 ms");
            holder.kill(); // SIGKILL while it holds the writers' lock inside apply
        }
        try (LayerStore store = LayerStore.open(root, StoreOptions.defaults().withLockTimeout(Duration.ofMinutes(2)))) {
            assertThat(store.recoveryReport().actions()).extracting(a -> a.event().type())
                    .contains("LayerRolledBack");
            assertThat(store.layers()).isEmpty();
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
}
