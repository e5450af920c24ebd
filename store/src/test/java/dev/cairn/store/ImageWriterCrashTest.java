package dev.cairn.store;

import dev.cairn.model.ImageRecord;
import dev.cairn.model.Layer;
import dev.cairn.model.LayerId;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.oci.ImageReference;
import dev.cairn.oci.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The image sagas cut at each of their steps: in this JVM (the saga stops dead with an Error), in child JVMs halted at
 * the step ({@code Runtime.halt}), and in child JVMs killed with SIGKILL at random moments of an import. After each:
 * reopen (recovery), no partial image and no partial layer, the layers committed before the cut kept, every invariant
 * of {@link StoreInvariants}, and a retry that reuses what was kept.
 */
class ImageWriterCrashTest {

    private static final Platform AMD64 = Platform.of("linux", "amd64", null);

    @TempDir
    Path temp;
    private Path root;
    private TestImage.Written image;

    @BeforeEach
    void layout() throws IOException {
        root = temp.resolve("store");
        List<byte[]> tars = new ArrayList<>();
        for (long seed = 1; seed <= 3; seed++) {
            tars.add(TestImage.plainTar(seed, 40));
        }
        image = TestImage.oci(temp.resolve("layout"), "v1", tars, true, "{}");
    }

    @AfterEach
    void uninstall() {
        FaultPoints.install(null);
    }

    private static void crashAt(String point) {
        LayerStoreCrashTest.crashAt(point);
    }

    private ImportedImage importImage(LayerStore store) throws IOException {
        return store.importImage(ImageReference.parse(image.reference()), AMD64,
                ImageSpec.unnamed().withName("app:v1"), n -> { });
    }

    /** After the cut: no image, only whole layers of the image, and a retry that reuses them. */
    private void checkCutImportThenRetry() throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.images()).as("no partial image").isEmpty();
            List<LayerId> ids = TestImage.storageIds(image.diffIds());
            Set<LayerId> kept = new HashSet<>();
            for (Layer l : store.layers()) {
                assertThat(ids).as("only the image's layers").contains(l.id());
                kept.add(l.id());
            }
            StoreInvariants.check(store);

            ImportedImage retry = importImage(store);

            assertThat(retry.image().layers()).isEqualTo(ids);
            assertThat(retry.reused()).as("what was committed before the cut is reused")
                    .containsExactlyInAnyOrderElementsOf(kept);
            StoreInvariants.check(store);
        }
    }

    @ParameterizedTest(name = "import cut at {0}")
    @ValueSource(strings = {FaultPoints.STAGING_STARTED, FaultPoints.STAGING_EXTRACTED, FaultPoints.IMAGE_STAGED,
            FaultPoints.LAYER_CREATED, FaultPoints.LAYER_MOVED, FaultPoints.IMAGE_LAYERS_APPLIED,
            FaultPoints.IMAGE_CREATED, FaultPoints.IMAGE_BLOBS_STORED})
    void anImportCutShortLeavesNoImageAndKeepsItsCommittedLayers(String point) throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            crashAt(point);
            assertThatThrownBy(() -> importImage(store)).isInstanceOf(LayerStoreCrashTest.SimulatedCrash.class);
            FaultPoints.install(null);
        }
        checkCutImportThenRetry();
    }

    @ParameterizedTest(name = "delete cut at {0}")
    @ValueSource(strings = {FaultPoints.IMAGE_DELETE_STARTED, FaultPoints.IMAGE_BLOBS_REMOVED})
    void aDeleteCutShortIsFinishedAndItsLayersStay(String point) throws IOException {
        ImageRecord imported;
        try (LayerStore store = LayerStore.open(root)) {
            imported = importImage(store).image();
            crashAt(point);
            assertThatThrownBy(() -> store.deleteImage("app:v1"))
                    .isInstanceOf(LayerStoreCrashTest.SimulatedCrash.class);
            FaultPoints.install(null);
            assertThat(store.findImage("app:v1")).as("gone for readers from ImageDeleteStarted on").isEmpty();
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.recoveryReport().actions()).extracting(r -> r.event().type())
                    .containsExactly("ImageDeleted");
            assertThat(store.images()).isEmpty();
            assertThat(store.layers()).extracting(Layer::id).containsExactlyElementsOf(imported.layers());
            StoreInvariants.check(store);
        }
    }

    // --- child JVMs ----------------------------------------------------------------------------------------------

    private ChildJvm child(String scenario, String... properties) throws IOException {
        String[] props = Stream.concat(Stream.of("-Dcairn.test.image=" + image.reference()), Stream.of(properties))
                .toArray(String[]::new);
        return ChildJvm.start(root, scenario, 1, props);
    }

    @ParameterizedTest(name = "child halted at {0}")
    @ValueSource(strings = {FaultPoints.IMAGE_STAGED, FaultPoints.LAYER_MOVED, FaultPoints.IMAGE_LAYERS_APPLIED,
            FaultPoints.IMAGE_CREATED, FaultPoints.IMAGE_BLOBS_STORED})
    void aChildHaltedInsideAnImportIsRecovered(String point) throws Exception {
        try (ChildJvm c = child("import-image", "-Dcairn.crashAt=" + point)) {
            assertThat(c.exitStatus()).as("halted at %s; said %s", point, c.said()).isEqualTo(137);
        }
        checkCutImportThenRetry();
    }

    /** Halted after a saga's last durable event: the work is done and must survive, though the call never returned. */
    @ParameterizedTest(name = "child halted at {0} during {1}")
    @CsvSource({FaultPoints.IMAGE_COMMITTED + ",import-image,1",
            FaultPoints.IMAGE_DELETE_STARTED + ",import-then-delete-image,0",
            FaultPoints.IMAGE_BLOBS_REMOVED + ",import-then-delete-image,0",
            FaultPoints.IMAGE_DELETED + ",import-then-delete-image,0"})
    void aChildHaltedAtTheEndOfAnImageSagaKeepsItsWork(String point, String scenario, int images) throws Exception {
        try (ChildJvm c = child(scenario, "-Dcairn.crashAt=" + point)) {
            assertThat(c.exitStatus()).as("halted at %s; said %s", point, c.said()).isEqualTo(137);
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.images()).hasSize(images);
            assertThat(store.layers()).extracting(Layer::id)
                    .containsExactlyElementsOf(TestImage.storageIds(image.diffIds()));
            StoreInvariants.check(store);
        }
    }

    @Test
    void aCrashInsideTheRecoveryOfAnImageIsRecoveredByTheNextOpenWithOneEvent() throws Exception {
        try (LayerStore store = LayerStore.open(root)) {
            crashAt(FaultPoints.IMAGE_BLOBS_STORED);
            assertThatThrownBy(() -> importImage(store)).isInstanceOf(LayerStoreCrashTest.SimulatedCrash.class);
            FaultPoints.install(null);
        }
        try (ChildJvm c = child("open", "-Dcairn.crashAt=" + FaultPoints.RECOVERY_IMAGE_BLOBS_REMOVED)) {
            assertThat(c.exitStatus()).as("said %s", c.said()).isEqualTo(137);
        }
        try (LayerStore store = LayerStore.open(root)) {
            try (var history = store.history(1)) {
                assertThat(history.filter(r -> r.event().type().equals("ImageRolledBack")).count()).isEqualTo(1);
            }
            StoreInvariants.check(store);
        }
        checkCutImportThenRetry();
    }

    @Test
    void importsKilledWithSigkillAtRandomMomentsLeaveNoPartialImageAndTheRetryReusesWhatWasCommitted()
            throws Exception {
        long seed = Long.getLong("cairn.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        int rounds = Integer.getInteger("cairn.crash.rounds", 4);
        for (int round = 0; round < rounds; round++) {
            try (ChildJvm c = child("import-image")) {
                c.await("READY");
                Thread.sleep(random.nextInt(600)); // the import takes about that long here
                c.kill();
            }
            boolean finished;
            try (LayerStore store = LayerStore.open(root)) {
                StoreInvariants.check(store);
                finished = !store.images().isEmpty();
                if (finished) {
                    assertThat(store.images()).as("seed %d, round %d", seed, round).extracting(ImageRecord::names)
                            .containsExactly(List.of("app:v1"));
                }
            }
            if (!finished) {
                checkCutImportThenRetry();
            }
            try (LayerStore store = LayerStore.open(root)) {
                store.deleteImage("app:v1");
                List<LayerId> ids = new ArrayList<>(TestImage.storageIds(image.diffIds()));
                java.util.Collections.reverse(ids);
                for (LayerId l : ids) {
                    store.delete(l.hex());
                }
                StoreInvariants.check(store);
            }
        }
    }
}
