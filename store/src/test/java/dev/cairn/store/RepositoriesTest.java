package dev.cairn.store;

import dev.cairn.model.Actor;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.RepositoryBlob;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.oci.ImageReference;
import dev.cairn.oci.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The repositories of a registry in the store: links, tags and uploads as journal events, blobs shared with images,
 * and each step cut short (the next open finds no partial blob and no debris, and the invariants hold).
 */
class RepositoriesTest {

    @TempDir
    Path temp;

    @AfterEach
    void uninstall() {
        FaultPoints.install(null);
    }

    private Path root() {
        return temp.resolve("store");
    }

    private static String uploadId(int n) {
        return HexFormat.of().formatHex(new byte[16]).substring(0, 30) + String.format("%02x", n);
    }

    /** Uploads {@code bytes} through a session and links it as a blob of {@code repo}. */
    private static void push(Repositories r, String repo, String id, byte[] bytes) throws IOException {
        Repositories.UploadSession s = r.startUpload(repo, id, "sha256");
        Path data = s.folder().resolve("data");
        Files.write(data, bytes);
        Digest d = Digest.sha256(bytes);
        assertThat(r.linkUpload(id, d.toString(), d, bytes.length, data)).isTrue();
    }

    private static List<JournalRecord> journal(LayerStore store) throws IOException {
        try (Stream<JournalRecord> h = store.history(1)) {
            return h.toList();
        }
    }

    @Test
    void linksTagsAndUploadsAreEventsFoldedIntoTheIndex() throws IOException {
        byte[] blob = "a blob".getBytes(StandardCharsets.UTF_8);
        byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest md = Digest.sha256(manifest);
        try (LayerStore store = LayerStore.open(root())) {
            Repositories r = store.repositories();
            Repositories alices = store.as(new Caller("alice", "req-7", "10.1.1.1", null)).repositories();
            push(alices, "team/app", uploadId(1), blob);
            alices.putManifest("team/app", md.toString(), manifest, "application/vnd.oci.image.manifest.v1+json",
                    Optional.of("sha256:" + "ab".repeat(32)), List.of("v1", "latest"), Optional.empty());
            assertThat(r.mount("other", Optional.of("team/app"), Digest.sha256(blob).toString())).isPresent();
            StoreInvariants.check(store);
            assertThat(store.verify(true).problems()).isEmpty();
            JournalRecord linked = journal(store).stream().filter(x -> x.event() instanceof Event.BlobLinked)
                    .findFirst().orElseThrow();
            assertThat(linked.actor().principal()).isEqualTo("alice");
            assertThat(linked.actor()).isEqualTo(Actor.process().onBehalfOf("alice", "req-7").withClient("10.1.1.1"));
        }
        try (LayerStore store = LayerStore.open(root())) {
            Repositories r = store.repositories();
            assertThat(r.blob("other", Digest.sha256(blob).toString())).map(RepositoryBlob::size)
                    .contains((long) blob.length);
            assertThat(r.tags("team/app", Optional.empty(), 10)).containsExactly("latest", "v1");
            assertThat(r.manifestBytes("team/app", md.toString())).hasValueSatisfying(b ->
                    assertThat(b).isEqualTo(manifest));
            assertThat(r.referrers("team/app", "sha256:" + "ab".repeat(32))).hasSize(1);
            assertThat(r.deleteTag("team/app", "v1")).isTrue();
            assertThat(r.deleteManifest("team/app", md.toString())).isTrue();
            assertThat(r.tags("team/app", Optional.empty(), 10)).as("its tags go with it").isEmpty();
            assertThat(Files.exists(store.root().resolve("blobs/sha256").resolve(md.hex()))).isFalse();
            assertThat(r.unlinkBlob("team/app", Digest.sha256(blob).toString())).isTrue();
            assertThat(Files.exists(store.root().resolve("blobs/sha256").resolve(Digest.sha256(blob).hex())))
                    .as("still held by 'other'").isTrue();
            StoreInvariants.check(store);
        }
    }

    @Test
    void anImageDeleteKeepsTheBlobsARepositoryHolds() throws IOException {
        TestImage.Written image = TestImage.oci(temp.resolve("layout"), "v1", List.of(TestImage.plainTar(1, 3)),
                true, "{}");
        try (LayerStore store = LayerStore.open(root())) {
            ImageRecord i = store.importImage(ImageReference.parse(image.reference()), Platform.of("linux", "amd64",
                    null), ImageSpec.unnamed(), n -> { }).image();
            Digest layerBlob = image.blobs().get(0);
            byte[] bytes = Files.readAllBytes(temp.resolve("layout/blobs/sha256").resolve(layerBlob.hex()));
            push(store.repositories(), "app", uploadId(2), bytes);
            store.deleteImage(i.id().hex());
            assertThat(store.blob(layerBlob)).as("the repository holds it").isPresent();
            StoreInvariants.check(store);
        }
    }

    @ParameterizedTest(name = "upload cut at {0}")
    @ValueSource(strings = {FaultPoints.REPOSITORY_BLOB_IN_PLACE, FaultPoints.REPOSITORY_BLOB_LINKED})
    void anUploadCutWhileItIsLinkedLeavesTheBlobWholeOrAbsent(String point) throws IOException {
        byte[] blob = "cut".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(blob);
        try (LayerStore store = LayerStore.open(root())) {
            LayerStoreCrashTest.crashAt(point);
            assertThatThrownBy(() -> push(store.repositories(), "app", uploadId(3), blob))
                    .isInstanceOf(LayerStoreCrashTest.SimulatedCrash.class);
            FaultPoints.install(null);
        }
        try (LayerStore store = LayerStore.open(root())) {
            Repositories r = store.repositories();
            boolean linked = point.equals(FaultPoints.REPOSITORY_BLOB_LINKED);
            assertThat(r.blob("app", d.toString()).isPresent()).isEqualTo(linked);
            assertThat(store.blob(d).isPresent()).as("the bytes exactly when linked").isEqualTo(linked);
            assertThat(Files.exists(store.root().resolve("uploads").resolve(uploadId(3))))
                    .as("the upload's folder: kept while the upload is open, removed once it is closed")
                    .isEqualTo(!linked);
            if (!linked) {
                assertThat(r.upload(uploadId(3))).as("still open, for the client to retry or an age to reclaim")
                        .isPresent();
                r.discardUpload(uploadId(3), "test");
            }
            StoreInvariants.check(store);
        }
    }

    /** The blob of {@link #pushBlobAndManifest}. */
    static byte[] registryBlob(long seed) {
        return ("registry blob " + seed).getBytes(StandardCharsets.UTF_8);
    }

    /** A child's registry push: upload {@code uploadId(seed)} linked as a blob of "app", then a manifest tagged v1. */
    static Digest pushBlobAndManifest(LayerStore store, long seed) throws IOException {
        byte[] blob = registryBlob(seed);
        push(store.repositories(), "app", uploadId((int) seed), blob);
        byte[] manifest = ("{\"schemaVersion\":2,\"n\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
        store.repositories().putManifest("app", Digest.sha256(manifest).toString(), manifest,
                "application/vnd.oci.image.manifest.v1+json", Optional.empty(), List.of("v1"), Optional.empty());
        return Digest.sha256(blob);
    }

    @ParameterizedTest(name = "child halted at {0}")
    @ValueSource(strings = {FaultPoints.REPOSITORY_BLOB_IN_PLACE, FaultPoints.REPOSITORY_BLOB_LINKED,
            FaultPoints.REPOSITORY_MANIFEST_IN_PLACE})
    void aChildHaltedInsideARegistryPushIsRecovered(String point) throws Exception {
        try (ChildJvm c = ChildJvm.start(root(), "registry-push", 1, "-Dcairn.crashAt=" + point)) {
            assertThat(c.exitStatus()).as("halted at %s; said %s", point, c.said()).isEqualTo(137);
        }
        Digest d = Digest.sha256(registryBlob(1));
        try (LayerStore store = LayerStore.open(root())) {
            Repositories r = store.repositories();
            boolean linked = !point.equals(FaultPoints.REPOSITORY_BLOB_IN_PLACE);
            assertThat(r.blob("app", d.toString()).isPresent()).as("linked").isEqualTo(linked);
            assertThat(store.blob(d).isPresent()).as("the bytes exactly when linked").isEqualTo(linked);
            assertThat(r.tag("app", "v1")).as("no manifest without its event").isEmpty();
            if (linked) {
                assertThat(Files.exists(store.root().resolve("uploads").resolve(uploadId(1))))
                        .as("a closed upload's folder is removed at open").isFalse();
            } else {
                r.discardUpload(uploadId(1), "test");
            }
            StoreInvariants.check(store);
        }
    }

    @Test
    void aManifestCutBeforeItsEventLeavesNoBlob() throws IOException {
        byte[] manifest = "{\"schemaVersion\":2,\"n\":1}".getBytes(StandardCharsets.UTF_8);
        try (LayerStore store = LayerStore.open(root())) {
            LayerStoreCrashTest.crashAt(FaultPoints.REPOSITORY_MANIFEST_IN_PLACE);
            assertThatThrownBy(() -> store.repositories().putManifest("app", Digest.sha256(manifest).toString(),
                    manifest, "application/vnd.oci.image.manifest.v1+json", Optional.empty(), List.of("v1"),
                    Optional.empty())).isInstanceOf(LayerStoreCrashTest.SimulatedCrash.class);
            FaultPoints.install(null);
        }
        try (LayerStore store = LayerStore.open(root())) {
            assertThat(store.repositories().tag("app", "v1")).isEmpty();
            assertThat(Files.exists(store.root().resolve("blobs/sha256").resolve(Digest.sha256(manifest).hex())))
                    .as("an orphan, removed").isFalse();
            StoreInvariants.check(store);
        }
    }
}
