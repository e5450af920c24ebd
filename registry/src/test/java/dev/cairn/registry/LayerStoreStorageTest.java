package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.oci.Descriptor;
import dev.cairn.oci.ImageManifest;
import dev.cairn.oci.ManifestDocument;
import dev.cairn.oci.MediaTypes;
import dev.cairn.oci.OciDigest;
import dev.cairn.store.LayerStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The storage contract on the layer store, and what is particular to it: the journal, images, crash states. */
class LayerStoreStorageTest extends RegistryStorageContract {

    @org.junit.jupiter.api.io.TempDir
    Path layout;

    @Override
    RegistryStorage open(Path dir) throws IOException {
        return LayerStoreStorage.open(dir);
    }

    static BlobInfo push(RegistryStorage s, RepositoryName repo, byte[] blob, AuditContext audit) throws IOException {
        UploadId id = s.startUpload(repo, OciDigest.SHA256, audit).id();
        s.appendUpload(repo, id, 0, bytes(blob), blob.length, audit);
        return s.completeUpload(repo, id, sha256(blob), audit);
    }

    static List<JournalRecord> journal(LayerStore store) throws IOException {
        try (Stream<JournalRecord> h = store.history(1)) {
            return h.toList();
        }
    }

    @Test
    void aBlobInTwoRepositoriesIsKeptOnceInTheStoresBlobs() throws Exception {
        byte[] blob = "shared".getBytes(StandardCharsets.UTF_8);
        try (RegistryStorage s = open(dir)) {
            for (String repo : List.of("a", "b/c")) {
                push(s, new RepositoryName(repo), blob, AUDIT);
            }
            assertThat(s.mountBlob(new RepositoryName("d"), Optional.of(new RepositoryName("a")), sha256(blob), AUDIT))
                    .contains(new BlobInfo(sha256(blob), blob.length));
            assertThat(read(s, new RepositoryName("d"), sha256(blob))).isEqualTo(blob);
            assertThat(s.mountBlob(new RepositoryName("e"), Optional.of(new RepositoryName("x")), sha256(blob), AUDIT))
                    .as("x does not hold it").isEmpty();
        }
        assertThat(Files.isRegularFile(dir.resolve("blobs/sha256").resolve(sha256(blob).encoded()))).isTrue();
        try (Stream<Path> files = Files.list(dir.resolve("blobs/sha256"))) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void everyChangeIsAJournalEventWithTheRequestAsItsActor() throws Exception {
        try (LayerStoreStorage s = LayerStoreStorage.open(dir)) {
            byte[] blob = {1, 2, 3};
            push(s, REPO, blob, AUDIT);
            s.deleteBlob(REPO, sha256(blob), new AuditContext("bob", "10.0.0.9", "req-2"));
            s.recordRead(REPO, "tag:v1", AUDIT);
            List<JournalRecord> records = journal(s.store());
            assertThat(records).extracting(r -> r.event().type())
                    .containsSubsequence("UploadStarted", "BlobLinked", "BlobUnlinked", "Pulled");
            JournalRecord linked = records.stream().filter(r -> r.event() instanceof Event.BlobLinked).findFirst()
                    .orElseThrow();
            assertThat(linked.actor().principal()).isEqualTo("tester");
            assertThat(linked.actor().requestId()).isEqualTo("req-1");
            assertThat(linked.actor()).as("what the thread-scoped actor of before journaled, to the byte")
                    .isEqualTo(dev.cairn.model.Actor.process().onBehalfOf(AUDIT.principal(), AUDIT.requestId())
                            .withClient(AUDIT.clientAddress()));
            JournalRecord unlinked = records.stream().filter(r -> r.event() instanceof Event.BlobUnlinked)
                    .findFirst().orElseThrow();
            assertThat(unlinked.actor().principal()).isEqualTo("bob");
            assertThat(s.statBlob(REPO, sha256(blob))).isEmpty();
            assertThat(Files.exists(dir.resolve("blobs/sha256").resolve(sha256(blob).encoded())))
                    .as("nothing holds it any more").isFalse();
        }
    }

    @Test
    void aPushedImageManifestBecomesAnImageRecordNamedByItsTags() throws Exception {
        Descriptor md = TestImage.write(layout, "v1", 2, 1000, 7);
        Path blobs = layout.resolve("blobs/sha256");
        byte[] manifestBytes = Files.readAllBytes(blobs.resolve(md.digest().encoded()));
        ImageManifest m = ImageManifest.parse(manifestBytes, MediaTypes.OCI_MANIFEST);
        try (LayerStoreStorage s = LayerStoreStorage.open(dir)) {
            List<Descriptor> all = new ArrayList<>(m.layers());
            all.add(m.config());
            for (Descriptor d : all) {
                push(s, REPO, Files.readAllBytes(blobs.resolve(d.digest().encoded())), AUDIT);
            }
            s.putManifest(REPO, md.digest(), m, List.of(new Tag("v1")), AUDIT);
            LayerStore store = s.store();
            ImageRecord image = store.image(REPO.value() + ":v1");
            assertThat(image.id().hex()).isEqualTo(m.config().digest().encoded());
            assertThat(image.manifestDigest().toString()).isEqualTo(md.digest().toString());
            assertThat(store.imageManifest(image.id().hex())).isEqualTo(manifestBytes);
            // containers/image's ids: the base layer's DiffID, then sha256(parent + "+" + diffIdHex)
            LayerId base = image.layers().get(0);
            assertThat(store.layer(base.hex()).diffDigest().hex()).isEqualTo(base.hex());
            assertThat(s.getManifest(REPO, md.digest()).orElseThrow().bytes()).isEqualTo(manifestBytes);
            assertThat(s.resolveTag(REPO, new Tag("v1"))).contains(md.digest());
            assertThat(journal(store)).filteredOn(r -> r.event() instanceof Event.StagingStarted
                            || r.event() instanceof Event.DiffStaged || r.event() instanceof Event.ImageCommitted)
                    .as("the image's sagas, parallel stagings included, are the pusher's").hasSizeGreaterThan(4)
                    .allSatisfy(r -> assertThat(r.actor().principal()).isEqualTo("tester"));
            Path out = layout.resolve("exported");
            store.exportImage(REPO.value() + ":v1", dev.cairn.oci.ImageReference.parse("oci:" + out + ":v1"), n -> { });
            assertThat(Files.readAllBytes(out.resolve("blobs/sha256").resolve(md.digest().encoded())))
                    .as("exported with the manifest as pushed").isEqualTo(manifestBytes);
            for (Descriptor d : m.layers()) {
                assertThat(Files.readAllBytes(out.resolve("blobs/sha256").resolve(d.digest().encoded())))
                        .isEqualTo(Files.readAllBytes(blobs.resolve(d.digest().encoded())));
            }

            s.deleteTag(REPO, new Tag("v1"), AUDIT);
            assertThat(store.image(image.id().hex()).names()).isEmpty();
            s.deleteManifest(REPO, md.digest(), AUDIT);
            assertThat(store.findImage(image.id().hex())).as("its last manifest gone").isEmpty();
            assertThat(store.layer(base.hex())).as("layers stay").isNotNull();
            assertThat(read(s, REPO, m.layers().get(0).digest())).as("the repository keeps its blobs")
                    .isEqualTo(Files.readAllBytes(blobs.resolve(m.layers().get(0).digest().encoded())));
        }
    }

    @Test
    void anIndexAndAnArtifactAreKeptAsBlobsAndRecordsWithTheirReferrers() throws Exception {
        try (LayerStoreStorage s = LayerStoreStorage.open(dir)) {
            byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
            push(s, REPO, config, AUDIT);
            ManifestDocument artifact = manifest(config, "sbom");
            s.putManifest(REPO, artifact.digest(), artifact, List.of(new Tag("a")), AUDIT);
            String index = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{"
                    + "\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + artifact.digest()
                    + "\",\"size\":" + artifact.size() + "}],\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                    + "\",\"digest\":\"" + artifact.digest() + "\",\"size\":" + artifact.size() + "}}";
            ManifestDocument idx = ManifestDocument.parse(index.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_INDEX);
            s.putManifest(REPO, idx.digest(), idx, List.of(), AUDIT);
            assertThat(s.getManifest(REPO, idx.digest()).orElseThrow().bytes()).isEqualTo(idx.bytes());
            assertThat(s.referrers(REPO, artifact.digest())).extracting(Descriptor::digest)
                    .containsExactly(idx.digest());
            assertThat(s.store().images()).as("no image from an artifact").isEmpty();
            s.deleteManifest(REPO, idx.digest(), AUDIT);
            assertThat(s.referrers(REPO, artifact.digest())).isEmpty();
            assertThat(s.listTags(REPO, Optional.empty(), 10)).containsExactly(new Tag("a"));
        }
    }

    @Test
    void theFolderOfAClosedUploadIsRemovedAtOpenAndJournaled() throws Exception {
        UploadId id;
        try (RegistryStorage s = open(dir)) {
            id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            s.cancelUpload(REPO, id, AUDIT);
        }
        // what a crash between UploadDiscarded and removing the folder leaves
        Files.createDirectories(dir.resolve("uploads").resolve(id.value()));
        Files.writeString(dir.resolve("uploads").resolve(id.value()).resolve("data"), "abc");
        try (LayerStoreStorage s = LayerStoreStorage.open(dir)) {
            assertThat(Files.exists(dir.resolve("uploads").resolve(id.value()))).isFalse();
            assertThat(journal(s.store())).anySatisfy(r -> assertThat(r.event())
                    .isEqualTo(new Event.OrphanRemoved("uploads/" + id.value(), "no open upload session")));
            assertThatThrownBy(() -> s.uploadStatus(REPO, id)).isInstanceOf(UploadUnknownException.class);
        }
    }

    @Test
    void aBlobPutInPlaceWithoutItsLinkIsAnOrphanThatRecoveryRemoves() throws Exception {
        byte[] blob = "never linked".getBytes(StandardCharsets.UTF_8);
        try (RegistryStorage s = open(dir)) {
            push(s, REPO, "kept".getBytes(StandardCharsets.UTF_8), AUDIT);
        }
        // what a crash between renaming an upload into blobs/ and journaling BlobLinked leaves
        Path orphan = dir.resolve("blobs/sha256").resolve(Digest.sha256(blob).hex());
        Files.write(orphan, blob);
        try (LayerStoreStorage s = LayerStoreStorage.open(dir)) {
            assertThat(Files.exists(orphan)).isFalse();
            assertThat(read(s, REPO, sha256("kept".getBytes(StandardCharsets.UTF_8)))).as("a linked blob stays")
                    .isEqualTo("kept".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void anUploadWhoseFolderWasNeverMadeIsUnknownAndReclaimed() throws Exception {
        UploadId id;
        try (RegistryStorage s = open(dir)) {
            id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
        }
        // what a crash between UploadStarted and making the folder leaves
        dev.cairn.io.DurableFiles.removeTree(dir.resolve("uploads").resolve(id.value()));
        try (RegistryStorage s = open(dir)) {
            assertThatThrownBy(() -> s.uploadStatus(REPO, id)).isInstanceOf(UploadUnknownException.class);
            assertThat(s.openUploads()).isEqualTo(1);
            assertThat(s.reclaimUploads(Instant.now().plusSeconds(1), AUDIT)).containsExactly(id);
            assertThat(s.openUploads()).isZero();
        }
    }
}
