package dev.cairn.store;

import dev.cairn.model.AmbiguousImageException;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Digest;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.Event;
import dev.cairn.model.ImageId;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.Layer;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerInUseException;
import dev.cairn.model.ReadOnlyStoreException;
import dev.cairn.model.SizeMismatchException;
import dev.cairn.oci.ImageReference;
import dev.cairn.oci.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Images imported, named, looked up and deleted through the store's API (the image sagas of {@link ImageWriter}); what
 * the real tools say of the same images is in {@link ImageToolsTest}, crashes in {@link LayerStoreCrashTest}.
 */
class ImageWriterTest {

    private static final Platform AMD64 = Platform.of("linux", "amd64", null);

    @TempDir
    Path temp;
    private Path root;
    private LayerStore store;

    @BeforeEach
    void open() throws IOException {
        root = temp.resolve("store");
        store = LayerStore.open(root);
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

    private TestImage.Written layout(String tag, long... seeds) throws IOException {
        return TestImage.oci(temp.resolve("layout"), tag, tars(seeds), true, "{\"Env\":[\"TAG=" + tag + "\"]}");
    }

    private ImportedImage importImage(TestImage.Written w, String... names) throws IOException {
        return store.importImage(ImageReference.parse(w.reference()), AMD64, new ImageSpec(List.of(names)), n -> { });
    }

    private List<String> blobFiles() throws IOException {
        return StoreInvariants.list(root.resolve("blobs/sha256"));
    }

    private List<String> eventTypesSince(long seq) throws IOException {
        try (Stream<JournalRecord> s = store.history(seq + 1)) {
            return s.map(r -> r.event().type()).toList();
        }
    }

    private OwnedStaging stageBlob(TestImage.Written w, int layer) throws IOException {
        Path blob = temp.resolve("layout/blobs/sha256").resolve(w.blobs().get(layer).hex());
        try (java.io.InputStream in = Files.newInputStream(blob)) {
            return store.stageOwned(in, n -> { });
        }
    }

    private ImportedImage importWith(TestImage.Written w, java.util.Map<Digest, OwnedStaging> staged)
            throws IOException {
        try (dev.cairn.oci.ImageSource source = dev.cairn.oci.ImageSource.open(ImageReference.parse(w.reference()),
                AMD64)) {
            return store.importImage(source, new ImageSpec(List.of("example/app:v1")), n -> { }, staged);
        }
    }

    @Test
    void anImportAppliesAStagingHandedInInsteadOfExtractingThatLayersBlobAgain() throws IOException {
        TestImage.Written w = layout("v1", 1, 2);
        OwnedStaging first = stageBlob(w, 0);
        assertThat(first.staged().diffDigest()).isEqualTo(w.diffIds().get(0));
        long before = store.lastSeq();

        ImportedImage imported = importWith(w, java.util.Map.of(w.blobs().get(0), first));

        assertThat(imported.image().layers()).isEqualTo(TestImage.storageIds(w.diffIds()));
        assertThat(eventTypesSince(before).stream().filter("StagingStarted"::equals))
                .as("only the layer without a staging is extracted").hasSize(1);
        assertThat(first.isDone()).isTrue();
        first.close(); // the import's now: nothing to do
        assertThat(store.stagings()).isEmpty();
        assertThat(blobFiles()).contains(w.blobs().get(0).hex(), w.blobs().get(1).hex());
        assertThat(store.checkout(imported.image().topLayer().orElseThrow().hex(), temp.resolve("rootfs"))
                .entries()).isPositive();
    }

    @Test
    void aStagingHandedInWithAnotherDiffIdFailsTheImportAndLeavesNothing() throws IOException {
        TestImage.Written w = layout("v1", 1, 2);
        OwnedStaging wrong = stageBlob(w, 1);

        assertThatThrownBy(() -> importWith(w, java.util.Map.of(w.blobs().get(0), wrong)))
                .isInstanceOf(DigestMismatchException.class).hasMessageContaining("diff_ids[0]");

        assertThat(store.layers()).isEmpty();
        assertThat(store.images()).isEmpty();
        assertThat(store.stagings()).isEmpty();
    }

    @Test
    void aStagingNoImportTookIsDiscardedWhenClosed() throws IOException {
        TestImage.Written w = layout("v1", 1);
        long before = store.lastSeq();
        try (OwnedStaging s = stageBlob(w, 0)) {
            assertThat(store.stagings()).extracting(StagingInfo::state).containsExactly(StagingInfo.State.STAGED);
            assertThat(s.isDone()).isFalse();
        }
        assertThat(store.stagings()).isEmpty();
        assertThat(eventTypesSince(before)).containsExactly("StagingStarted", "DiffStaged", "StagingDiscarded");
    }

    @Test
    void anImportMakesTheLayersUnderContainersImageIdsAndTheImageRecordWithItsBytesAsReceived() throws IOException {
        TestImage.Written w = layout("v1", 1, 2, 3);

        ImportedImage imported = importImage(w, "example/app:v1", "example/app:latest");

        ImageRecord image = imported.image();
        List<LayerId> ids = TestImage.storageIds(w.diffIds());
        assertThat(image.id().hex()).as("id = the config digest's hex").isEqualTo(w.config().hex());
        assertThat(image.layers()).isEqualTo(ids);
        assertThat(image.topLayer()).contains(ids.get(2));
        assertThat(image.names()).containsExactly("example/app:v1", "example/app:latest");
        assertThat(image.manifestDigest()).isEqualTo(w.manifest());
        assertThat(image.manifestMediaType()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(image.created()).hasToString("2026-01-02T03:04:05Z");
        assertThat(imported.made()).isEqualTo(ids);
        assertThat(imported.reused()).isEmpty();
        assertThat(store.imageManifest("example/app:v1")).isEqualTo(w.manifestBytes());
        assertThat(Digest.sha256(store.imageConfig(image.id().hex()))).isEqualTo(w.config());
        for (int i = 0; i < 3; i++) {
            Layer l = store.layer(ids.get(i).hex());
            assertThat(l.diffDigest()).isEqualTo(w.diffIds().get(i));
            assertThat(l.parent()).isEqualTo(i == 0 ? java.util.Optional.empty() : java.util.Optional.of(ids.get(i - 1)));
            assertThat(l.compressedDigest()).contains(w.blobs().get(i));
        }
        long layerBytes = 0;
        for (LayerId id : ids) {
            layerBytes += store.layer(id.hex()).diffSize();
        }
        assertThat(image.size()).isEqualTo(layerBytes + w.manifestBytes().length + image.configSize());
        List<String> expectedBlobs = new ArrayList<>(List.of(w.manifest().hex(), w.config().hex()));
        w.blobs().forEach(b -> expectedBlobs.add(b.hex()));
        assertThat(blobFiles()).containsExactlyInAnyOrderElementsOf(expectedBlobs);
        assertThat(image.blobs()).extracting(BlobRef::digest).extracting(Digest::hex)
                .containsExactlyInAnyOrderElementsOf(expectedBlobs);
        assertThat(store.staged()).isEmpty();
        StoreInvariants.check(store);
    }

    @Test
    void zstdLayersAreDecompressedForTheirDiffIdsAndTheirBlobsKeptAsReceivedForExport() throws IOException {
        TestImage.Written w = TestImage.oci(temp.resolve("layout"), "v1", tars(1, 2), "zstd", "{}");

        ImageRecord image = importImage(w, "app:zstd").image();

        List<LayerId> ids = TestImage.storageIds(w.diffIds());
        assertThat(image.layers()).isEqualTo(ids);
        for (int i = 0; i < 2; i++) {
            Layer l = store.layer(ids.get(i).hex());
            assertThat(l.diffDigest()).isEqualTo(w.diffIds().get(i));
            assertThat(l.compression()).contains(dev.cairn.model.Compression.ZSTD);
            assertThat(l.compressedDigest()).contains(w.blobs().get(i));
        }
        Path out = temp.resolve("export");
        store.exportImage("app:zstd", ImageReference.parse("oci:" + out + ":v1"), n -> { });
        assertThat(Digest.sha256(Files.readAllBytes(out.resolve("blobs/sha256/" + w.manifest().hex()))))
                .isEqualTo(w.manifest());
        for (Digest blob : w.blobs()) {
            assertThat(Files.readAllBytes(out.resolve("blobs/sha256/" + blob.hex())))
                    .isEqualTo(Files.readAllBytes(w.dir().resolve("blobs/sha256/" + blob.hex())));
        }
        StoreInvariants.check(store);
    }

    @Test
    void theImageIsJournaledAsASagaWithItsLayersSagasBeforeIt() throws IOException {
        long before = store.lastSeq();

        importImage(layout("v1", 1, 2), "app:v1");

        List<String> types = eventTypesSince(before);
        assertThat(types.subList(types.size() - 4, types.size()))
                .containsExactly("ImageCreated", "ImageCommitted", "StagingCleaned", "StagingCleaned");
        assertThat(types).containsSubsequence("StagingStarted", "DiffStaged", "LayerCreated", "LayerCommitted",
                "LayerCreated", "LayerCommitted", "ImageCreated");
        try (Stream<JournalRecord> s = store.history(before + 1)) {
            assertThat(s.map(JournalRecord::event).filter(e -> e instanceof Event.StagingStarted)
                    .map(e -> ((Event.StagingStarted) e).ephemeral())).containsOnly(true);
        }
    }

    @Test
    void importingTheSameImageAgainReadsNothingAndAddsTheNewNames() throws IOException {
        TestImage.Written w = layout("v1", 1, 2);
        ImageRecord first = importImage(w, "app:v1").image();
        long before = store.lastSeq();

        ImportedImage again = importImage(w, "app:v1", "app:stable");

        assertThat(again.duplicate()).isTrue();
        assertThat(again.addedNames()).containsExactly("app:stable");
        assertThat(again.image().id()).isEqualTo(first.id());
        assertThat(again.image().names()).containsExactly("app:v1", "app:stable");
        assertThat(eventTypesSince(before)).containsExactly("ImageNamesSet");
    }

    @Test
    void aLayerTheStoreHasIsNotExtractedAgainAndItsBlobIsSharedByTheImagesThatHoldIt() throws IOException {
        ImageRecord first = importImage(layout("one", 1, 2)).image();
        long before = store.lastSeq();

        ImportedImage second = importImage(layout("two", 1, 3));

        assertThat(second.reused()).containsExactly(first.layers().get(0));
        assertThat(second.made()).hasSize(1);
        assertThat(second.image().layers().get(0)).isEqualTo(first.layers().get(0));
        assertThat(eventTypesSince(before).stream().filter("StagingStarted"::equals)).hasSize(1);
        Digest shared = first.blobs().get(2).digest();
        assertThat(second.image().blobs()).extracting(BlobRef::digest).contains(shared);
        assertThat(blobFiles().stream().filter(shared.hex()::equals)).as("kept once").hasSize(1);
        StoreInvariants.check(store);
    }

    @Test
    void aLayerImportedWithoutItsBlobGetsItFromTheImageWithoutBeingExtractedAgain() throws IOException {
        byte[] tar = TestImage.plainTar(1, 8);
        Layer plain = store.put(new ByteArrayInputStream(TestImage.gzip(tar)), LayerSpec.base()).layer();
        TestImage.Written w = layout("v1", 1, 2);
        long before = store.lastSeq();

        ImportedImage imported = importImage(w);

        assertThat(imported.reused()).containsExactly(plain.id());
        assertThat(eventTypesSince(before).stream().filter("StagingStarted"::equals)).hasSize(1);
        assertThat(blobFiles()).contains(w.blobs().get(0).hex());
        StoreInvariants.check(store);
    }

    @Test
    void aDiffIdOtherThanTheConfigsFailsTheImportAndLeavesNothing() throws IOException {
        TestImage.Written w = layout("v1", 1, 2);
        // the config promises the DiffIDs of other tars: rewrite it so, under a new digest, and point the manifest at it
        byte[] config = Files.readAllBytes(w.dir().resolve("blobs/sha256/" + w.config().hex()));
        String forged = new String(config, java.nio.charset.StandardCharsets.UTF_8)
                .replace(w.diffIds().get(1).toString(), Digest.sha256(new byte[] {9}).toString());
        TestImage.Written bad = rewriteConfig(w, forged.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<Layer> layersBefore = store.layers();

        assertThatThrownBy(() -> importImage(bad)).isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("layer 1").hasMessageContaining("DiffID");

        assertThat(store.layers()).as("a mismatch is found before any layer is applied").isEqualTo(layersBefore);
        assertThat(store.images()).isEmpty();
        assertThat(store.staged()).isEmpty();
        assertThat(blobFiles()).isEmpty();
        assertThat(StoreInvariants.list(root.resolve("staging"))).isEmpty();
        StoreInvariants.check(store);
    }

    @Test
    void aBlobThatDoesNotHashToItsDigestFailsTheImportAndLeavesNothing() throws IOException {
        TestImage.Written w = layout("v1", 1, 2);
        Path blob = w.dir().resolve("blobs/sha256/" + w.blobs().get(1).hex());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 1;
        Files.write(blob, bytes);

        assertThatThrownBy(() -> importImage(w)).isInstanceOfAny(DigestMismatchException.class,
                dev.cairn.model.CorruptArchiveException.class).hasMessageContaining(w.blobs().get(1).hex());

        assertThat(store.layers()).isEmpty();
        assertThat(store.images()).isEmpty();
        assertThat(blobFiles()).isEmpty();
        StoreInvariants.check(store);
    }

    @Test
    void aBlobCutShortFailsTheImportNamingItsSize() throws IOException {
        TestImage.Written w = layout("v1", 1);
        Path blob = w.dir().resolve("blobs/sha256/" + w.blobs().get(0).hex());
        byte[] bytes = Files.readAllBytes(blob);
        Files.write(blob, java.util.Arrays.copyOf(bytes, bytes.length - 10));

        assertThatThrownBy(() -> importImage(w)).isInstanceOf(SizeMismatchException.class);

        assertThat(store.images()).isEmpty();
        StoreInvariants.check(store);
    }

    @Test
    void progressCountsEveryBlobByteRead() throws IOException {
        TestImage.Written w = layout("v1", 1, 2, 3);
        long total = 0;
        for (Digest b : w.blobs()) {
            total += Files.size(w.dir().resolve("blobs/sha256/" + b.hex()));
        }
        AtomicLong seen = new AtomicLong();

        store.importImage(ImageReference.parse(w.reference()), AMD64, ImageSpec.unnamed(),
                n -> seen.accumulateAndGet(n, Math::max));

        assertThat(seen.get()).isEqualTo(total);
    }

    @Test
    void aLayerAnImageUsesCannotBeDeletedAndTheErrorNamesTheImage() throws IOException {
        ImageRecord image = importImage(layout("v1", 1, 2), "app:v1").image();
        long before = store.lastSeq();

        assertThatThrownBy(() -> store.delete(image.topLayer().get().hex())).isInstanceOf(LayerInUseException.class)
                .hasMessageContaining(image.id().hex()).hasMessageContaining("app:v1")
                .satisfies(e -> assertThat(((LayerInUseException) e).images()).containsExactly(image.id()));
        assertThatThrownBy(() -> store.delete(image.layers().get(0).hex()))
                .as("nor one below its top layer (it has a child, and the image stands on it)")
                .isInstanceOfAny(LayerInUseException.class, dev.cairn.model.LayerHasChildrenException.class);

        assertThat(store.lastSeq()).as("nothing journaled").isEqualTo(before);
        assertThat(store.imagesUsing(image.layers().get(0).hex())).containsExactly(image);
    }

    @Test
    void deletingAnImageKeepsItsLayersAndRemovesTheBlobsNoOtherImageHolds() throws IOException {
        ImageRecord one = importImage(layout("one", 1, 2), "one").image();
        ImageRecord two = importImage(layout("two", 1, 3), "two").image();

        store.deleteImage("one");

        assertThat(store.findImage("one")).isEmpty();
        assertThat(store.images()).containsExactly(store.image("two"));
        assertThat(store.findLayer(one.topLayer().get().hex())).as("its layers stay").isPresent();
        Digest shared = one.blobs().get(2).digest();
        Digest onlyOne = one.blobs().get(3).digest();
        assertThat(blobFiles()).contains(shared.hex()).doesNotContain(onlyOne.hex(), one.manifestDigest().hex());
        StoreInvariants.check(store);
        store.delete(one.topLayer().get().hex());
        assertThat(store.findLayer(one.topLayer().get().hex())).as("a layer no image uses can go").isEmpty();
        assertThat(two.layers()).isNotEmpty();
    }

    @Test
    void aNameGivenToAnotherImageMovesThereAsContainersStorageMovesImageNames() throws IOException {
        ImageRecord one = importImage(layout("one", 1), "app:latest", "app:1").image();
        long before = store.lastSeq();

        ImageRecord two = importImage(layout("two", 2), "app:latest").image();

        assertThat(store.image("app:latest").id()).isEqualTo(two.id());
        assertThat(store.image(one.id().hex()).names()).containsExactly("app:1");
        try (Stream<JournalRecord> s = store.history(before + 1)) {
            assertThat(s.map(JournalRecord::event).filter(e -> e instanceof Event.ImageNamesSet)
                    .map(e -> (Event.ImageNamesSet) e)).as("the loss is journaled, on the image that lost the name")
                    .containsExactly(new Event.ImageNamesSet(one.id(), List.of("app:1")));
        }

        store.changeImageNames("app:1", List.of("app:old", "app:latest"), List.of("app:1"));
        assertThat(store.image(one.id().hex()).names()).containsExactly("app:old", "app:latest");
        assertThat(store.image(two.id().hex()).names()).isEmpty();
        assertThat(store.setImageNames(two.id().hex(), List.of("x")).names()).containsExactly("x");
        assertThatThrownBy(() -> store.setImageNames("x", List.of("bad\u0001name")))
                .isInstanceOf(IllegalArgumentException.class);
        StoreInvariants.check(store);
    }

    @Test
    void anImageIsFoundByIdByUniqueIdPrefixWithOrWithoutTheAlgorithmAndByName() throws IOException {
        ImageRecord image = importImage(layout("v1", 1), "app:v1").image();
        String hex = image.id().hex();

        assertThat(store.image(hex)).isEqualTo(image);
        assertThat(store.image("sha256:" + hex)).isEqualTo(image);
        assertThat(store.image(hex.substring(0, 4))).isEqualTo(image);
        assertThat(store.image("sha256:" + hex.substring(0, 12))).isEqualTo(image);
        assertThat(store.image("app:v1")).isEqualTo(image);
        assertThatThrownBy(() -> store.image(hex.substring(0, 3))).isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining(hex.substring(0, 3));
        assertThatThrownBy(() -> store.image("app:v2")).isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("app:v2");
        assertThatThrownBy(() -> store.deleteImage("nosuch")).isInstanceOf(ImageNotFoundException.class);
    }

    @Test
    void anAmbiguousPrefixIsRefusedListingTheImages() throws IOException {
        // two configs whose digests share their first 4 hex characters, found by hashing candidates
        java.util.Map<String, Integer> byPrefix = new java.util.HashMap<>();
        int[] pair = null;
        for (int i = 0; pair == null; i++) {
            String prefix = Digest.sha256(TestImage.config(tars(1), "{\"n\":" + i + "}")).hex().substring(0, 4);
            Integer other = byPrefix.putIfAbsent(prefix, i);
            if (other != null) {
                pair = new int[] {other, i};
            }
        }
        ImageRecord a = importImage(TestImage.oci(temp.resolve("a"), "t", tars(1), true, "{\"n\":" + pair[0] + "}"))
                .image();
        ImageRecord b = importImage(TestImage.oci(temp.resolve("b"), "t", tars(1), true, "{\"n\":" + pair[1] + "}"))
                .image();
        String prefix = a.id().hex().substring(0, 4);

        assertThatThrownBy(() -> store.image(prefix)).isInstanceOf(AmbiguousImageException.class)
                .hasMessageContaining(prefix).satisfies(e -> assertThat(((AmbiguousImageException) e).candidates())
                        .containsExactlyInAnyOrder(a.id().hex(), b.id().hex()));
        assertThat(store.image(a.id().hex().substring(0, 20))).as("a longer prefix is unique").isEqualTo(a);
    }

    @Test
    void aReadOnlyStoreListsAndReadsImagesAndRefusesChanges() throws IOException {
        ImageRecord image = importImage(layout("v1", 1), "app:v1").image();

        try (LayerStore reader = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
            assertThat(reader.images()).containsExactly(image);
            assertThat(reader.imageManifest("app:v1")).isEqualTo(store.imageManifest("app:v1"));
            assertThatThrownBy(() -> reader.deleteImage("app:v1")).isInstanceOf(ReadOnlyStoreException.class);
            assertThatThrownBy(() -> reader.importImage(ImageReference.parse(layout("v2", 2).reference()), AMD64,
                    ImageSpec.unnamed(), n -> { })).isInstanceOf(ReadOnlyStoreException.class);
        }
    }

    @Test
    void blobsAreServedOnlyWhileAnImageHoldsThem() throws IOException {
        TestImage.Written w = layout("v1", 1);
        ImageRecord image = importImage(w).image();
        Digest layerBlob = w.blobs().get(0);

        assertThat(store.blob(layerBlob)).contains(new BlobRef(layerBlob,
                Files.size(w.dir().resolve("blobs/sha256/" + layerBlob.hex()))));
        try (var ch = store.openBlob(layerBlob)) {
            assertThat(ch.size()).isEqualTo(store.blob(layerBlob).get().size());
        }
        store.deleteImage(image.id().hex());
        assertThat(store.blob(layerBlob)).isEmpty();
        assertThatThrownBy(() -> store.openBlob(layerBlob)).isInstanceOf(dev.cairn.model.BlobNotFoundException.class);
    }

    @Test
    void aDockerArchiveImportKeepsOnlyManifestAndConfigForItsLayersAreTheirUncompressedTars() throws IOException {
        TestImage.Written w = layout("v1", 1, 2);
        Path archive = temp.resolve("app.tar");
        try (LayerStore other = LayerStore.open(temp.resolve("other"))) {
            other.importImage(ImageReference.parse(w.reference()), AMD64, ImageSpec.unnamed(), n -> { });
            other.exportImage(w.config().hex(), ImageReference.parse("docker-archive:" + archive + ":app:v1"),
                    n -> { });
        }

        ImportedImage imported = store.importImage(ImageReference.parse("docker-archive:" + archive), AMD64,
                new ImageSpec(List.of("app:v1")), n -> { });

        assertThat(imported.image().id().hex()).isEqualTo(w.config().hex());
        assertThat(imported.image().layers()).isEqualTo(TestImage.storageIds(w.diffIds()));
        assertThat(imported.image().blobs()).extracting(BlobRef::digest)
                .containsExactlyInAnyOrder(imported.image().manifestDigest(), imported.image().configDigest());
        assertThat(imported.image().manifestMediaType())
                .isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
        StoreInvariants.check(store);
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** The same layout with its config replaced: a new config blob, the manifest pointing at it under a new tag. */
    private TestImage.Written rewriteConfig(TestImage.Written w, byte[] config) throws IOException {
        Path blobs = w.dir().resolve("blobs/sha256");
        Digest c = Digest.sha256(config);
        Files.write(blobs.resolve(c.hex()), config);
        String manifest = new String(w.manifestBytes(), java.nio.charset.StandardCharsets.UTF_8)
                .replace(w.config().toString(), c.toString())
                .replaceFirst("\"size\":\\d+", "\"size\":" + config.length);
        byte[] m = manifest.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Digest md = Digest.sha256(m);
        Files.write(blobs.resolve(md.hex()), m);
        Files.writeString(w.dir().resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + md + "\",\"size\":" + m.length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"forged\"}}]}");
        return new TestImage.Written(w.dir(), "forged", md, c, w.diffIds(), w.blobs(), m);
    }
}
