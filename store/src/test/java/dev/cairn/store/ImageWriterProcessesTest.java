package dev.cairn.store;

import dev.cairn.model.BlobRef;
import dev.cairn.model.Digest;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.oci.ImageReference;
import dev.cairn.oci.Platform;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image sagas of several real processes on one store: imports racing each other (the same image, or images that share
 * a layer and so a blob), and a delete in one process while another's import holds the blob it would remove.
 */
class ImageWriterProcessesTest {

    private static final Platform AMD64 = Platform.of("linux", "amd64", null);

    @TempDir
    Path temp;
    private Path root;
    private TestImage.Written one;
    private TestImage.Written two;

    @BeforeEach
    void layouts() throws IOException {
        root = temp.resolve("store");
        one = TestImage.oci(temp.resolve("one"), "v1", tars(1, 2, 3), true, "{\"n\":1}");
        two = TestImage.oci(temp.resolve("two"), "v1", tars(1, 4), true, "{\"n\":2}");
    }

    private static List<byte[]> tars(long... seeds) {
        List<byte[]> out = new ArrayList<>();
        for (long s : seeds) {
            out.add(TestImage.plainTar(s, 60));
        }
        return out;
    }

    private ChildJvm importer(TestImage.Written image, String... properties) throws IOException {
        List<String> props = new ArrayList<>(List.of("-Dcairn.test.image=" + image.reference()));
        props.addAll(List.of(properties));
        return ChildJvm.start(root, "import-image", 1, props.toArray(String[]::new));
    }

    @Test
    void twoProcessesImportingTheSameImageAtOnceBothSucceedWithOneImage() throws Exception {
        Path go = temp.resolve("go");
        try (ChildJvm a = importer(one, "-Dcairn.test.startAt=" + go);
             ChildJvm b = importer(one, "-Dcairn.test.startAt=" + go)) {
            Files.createFile(go);
            assertThat(a.await("ACK ")).isEqualTo("ACK " + one.config().hex());
            assertThat(b.await("ACK ")).isEqualTo("ACK " + one.config().hex());
            assertThat(a.exitStatus()).isZero();
            assertThat(b.exitStatus()).isZero();
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.images()).hasSize(1);
            assertThat(store.layers()).hasSize(3);
            StoreInvariants.check(store);
        }
    }

    @Test
    void imagesSharingALayerImportedAtOnceShareItAndItsBlob() throws Exception {
        Path go = temp.resolve("go");
        try (ChildJvm a = importer(one, "-Dcairn.test.startAt=" + go);
             ChildJvm b = importer(two, "-Dcairn.test.startAt=" + go)) {
            Files.createFile(go);
            a.await("ACK ");
            b.await("ACK ");
            assertThat(a.exitStatus()).as("said %s", a.said()).isZero();
            assertThat(b.exitStatus()).as("said %s", b.said()).isZero();
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.images()).hasSize(2);
            assertThat(store.layers()).as("the base layer once").hasSize(4);
            Digest base = one.blobs().get(0);
            assertThat(StoreInvariants.list(root.resolve("blobs/sha256"))).contains(base.hex());
            assertThat(store.image(one.config().hex()).blobs()).extracting(BlobRef::digest).contains(base);
            StoreInvariants.check(store);
        }
    }

    /**
     * An import that found the shared layer and its blob in the store (so neither stages nor copies it), and holds the
     * blob from its {@code ImageCreated} on, paused before its commit while this process deletes the other image
     * holding that blob: the blob stays, and the import ends whole.
     */
    @Test
    void aDeleteInAnotherProcessNeverRemovesABlobAnOpenImportHolds() throws Exception {
        ImageRecord other;
        try (LayerStore store = LayerStore.open(root)) {
            other = store.importImage(ImageReference.parse(two.reference()), AMD64, ImageSpec.unnamed(), n -> { })
                    .image();
        }
        Path release = temp.resolve("release");
        try (ChildJvm a = importer(one, "-Dcairn.test.pauseAt=" + FaultPoints.IMAGE_BLOBS_STORED,
                "-Dcairn.test.pauseUntil=" + release)) {
            a.await("PAUSED ");
            try (LayerStore store = LayerStore.open(root)) {
                store.deleteImage(other.id().hex());
                assertThat(StoreInvariants.list(root.resolve("blobs/sha256"))).as("held by the open import")
                        .contains(one.blobs().get(0).hex())
                        .doesNotContain(two.blobs().get(1).hex(), other.manifestDigest().hex());
            }
            Files.createFile(release);
            assertThat(a.await("ACK ")).isEqualTo("ACK " + one.config().hex());
            assertThat(a.exitStatus()).isZero();
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.images()).extracting(ImageRecord::id).containsExactly(
                    dev.cairn.model.ImageId.ofConfig(one.config()));
            StoreInvariants.check(store);
        }
    }
}
