package dev.cairn.store;

import dev.cairn.model.Digest;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.ImageRecord;
import dev.cairn.oci.ImageReference;
import dev.cairn.oci.ImageSource;
import dev.cairn.oci.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code image export}: what is written, and that it is what was imported ({@link ImageExporter}). */
class ImageExporterTest {

    private static final Platform AMD64 = Platform.of("linux", "amd64", null);

    @TempDir
    Path temp;
    private LayerStore store;

    @BeforeEach
    void open() throws IOException {
        store = LayerStore.open(temp.resolve("store"));
    }

    @AfterEach
    void close() throws IOException {
        store.close();
    }

    private static List<byte[]> tars(long... seeds) {
        List<byte[]> out = new ArrayList<>();
        for (long s : seeds) {
            out.add(TestImage.plainTar(s, 8));
        }
        return out;
    }

    private ImageRecord importImage(String reference) throws IOException {
        return store.importImage(ImageReference.parse(reference), AMD64, ImageSpec.unnamed(), n -> { }).image();
    }

    @Test
    void anOciExportHoldsTheManifestAndEveryBlobOfTheImportByteForByte() throws IOException {
        TestImage.Written w = TestImage.oci(temp.resolve("in"), "v1", tars(1, 2, 3), true, "{}");
        ImageRecord image = importImage(w.reference());
        Path out = temp.resolve("out");

        store.exportImage(image.id().hex(), ImageReference.parse("oci:" + out + ":v2"), n -> { });

        assertThat(StoreInvariants.list(out.resolve("blobs/sha256")))
                .containsExactlyInAnyOrderElementsOf(StoreInvariants.list(w.dir().resolve("blobs/sha256")));
        for (String blob : StoreInvariants.list(out.resolve("blobs/sha256"))) {
            assertThat(out.resolve("blobs/sha256/" + blob)).hasSameBinaryContentAs(w.dir().resolve("blobs/sha256/"
                    + blob));
        }
        try (ImageSource again = ImageSource.open(ImageReference.parse("oci:" + out + ":v2"), AMD64)) {
            assertThat(again.image().manifest().bytes()).isEqualTo(w.manifestBytes());
        }
    }

    @Test
    void layersWhoseBlobsWereTheirTarsAreRebuiltFromTheStoreWithTheSameDigests() throws IOException {
        TestImage.Written w = TestImage.oci(temp.resolve("in"), "v1", tars(1, 2), false, "{}");
        ImageRecord image = importImage(w.reference());
        assertThat(image.blobs()).as("nothing kept twice: the layers rebuild their tars").hasSize(2);
        Path out = temp.resolve("out");

        store.exportImage("sha256:" + image.id().hex(), ImageReference.parse("oci:" + out), n -> { });

        for (Digest blob : w.blobs()) {
            assertThat(out.resolve("blobs/sha256/" + blob.hex()))
                    .hasSameBinaryContentAs(w.dir().resolve("blobs/sha256/" + blob.hex()));
        }
        try (ImageSource again = ImageSource.open(ImageReference.parse("oci:" + out), AMD64)) {
            assertThat(again.image().manifest().bytes()).isEqualTo(w.manifestBytes());
        }
    }

    @Test
    void aDockerArchiveExportRoundTripsToTheSameImageInAnotherStore() throws IOException {
        TestImage.Written w = TestImage.oci(temp.resolve("in"), "v1", tars(1, 2), true, "{}");
        ImageRecord image = importImage(w.reference());
        Path archive = temp.resolve("app.tar");
        long[] written = {0};

        store.exportImage(image.id().hex(), ImageReference.parse("docker-archive:" + archive + ":app:v1"),
                n -> written[0] = n);

        assertThat(written[0]).as("progress: the layers' tar bytes").isEqualTo(image.size() - image.manifestSize()
                - image.configSize());
        try (LayerStore other = LayerStore.open(temp.resolve("other"))) {
            ImportedImage again = other.importImage(ImageReference.parse("docker-archive:" + archive + ":app:v1"),
                    AMD64, ImageSpec.unnamed(), n -> { });
            assertThat(again.image().id()).isEqualTo(image.id());
            assertThat(again.image().layers()).isEqualTo(image.layers());
            StoreInvariants.check(other);
        }
    }

    @Test
    void exportingAgainIntoTheSameLayoutMovesTheTagAndKeepsTheBlobs() throws IOException {
        ImageRecord one = importImage(TestImage.oci(temp.resolve("a"), "v1", tars(1), true, "{\"a\":1}").reference());
        ImageRecord two = importImage(TestImage.oci(temp.resolve("b"), "v1", tars(1), true, "{\"a\":2}").reference());
        Path out = temp.resolve("out");

        store.exportImage(one.id().hex(), ImageReference.parse("oci:" + out + ":latest"), n -> { });
        store.exportImage(two.id().hex(), ImageReference.parse("oci:" + out + ":latest"), n -> { });

        try (ImageSource latest = ImageSource.open(ImageReference.parse("oci:" + out + ":latest"), AMD64)) {
            assertThat(latest.image().id().toString()).isEqualTo(two.configDigest().toString());
        }
        assertThat(Files.exists(out.resolve("blobs/sha256/" + one.manifestDigest().hex()))).isTrue();
    }

    @Test
    void badDestinationsAndUnknownImagesAreRefusedWritingNothing() throws IOException {
        ImageRecord image = importImage(TestImage.oci(temp.resolve("in"), "v1", tars(1), true, "{}").reference());
        Path out = temp.resolve("out");

        assertThatThrownBy(() -> store.exportImage(image.id().hex(), ImageReference.parse("oci:" + out + ":@0"),
                n -> { })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(":@N");
        assertThatThrownBy(() -> store.exportImage("nosuch", ImageReference.parse("oci:" + out), n -> { }))
                .isInstanceOf(ImageNotFoundException.class).hasMessageContaining("nosuch");
        assertThat(out).doesNotExist();
    }

    @Test
    void aReadOnlyStoreExports() throws IOException {
        ImageRecord image = importImage(TestImage.oci(temp.resolve("in"), "v1", tars(1), true, "{}").reference());

        try (LayerStore reader = LayerStore.openReadOnly(store.root(), StoreOptions.defaults())) {
            reader.exportImage(image.id().hex(), ImageReference.parse("oci:" + temp.resolve("out")), n -> { });
        }

        assertThat(temp.resolve("out/blobs/sha256/" + image.manifestDigest().hex())).exists();
    }
}
