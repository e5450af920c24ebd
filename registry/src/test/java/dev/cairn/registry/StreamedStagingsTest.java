package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.model.JournalRecord;
import dev.cairn.oci.Descriptor;
import dev.cairn.oci.MediaTypes;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StagingInfo;
import dev.cairn.store.StoreOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pushed layer is staged while it streams in, so that the manifest PUT only applies it: proved on the journal, where
 * a layer staged from its blob at the manifest PUT would show a {@code StagingStarted} after the last
 * {@code BlobLinked} (a streamed layer's comes before its own {@code BlobLinked}). Also: chunked uploads, blobs that are not layers, a stream that only looks like one, the age
 * policy, and a server killed with {@code kill -9} in the middle of a layer.
 */
class StreamedStagingsTest {

    static final String REPO = "test/app";

    @TempDir
    Path dir;

    /** The event types of the journal from {@code from} on. */
    static List<String> types(List<JournalRecord> journal) {
        return journal.stream().map(r -> r.event().type()).toList();
    }

    /** The types of the events after the last {@code BlobLinked} up to and with the first {@code ManifestPut}. */
    static List<String> atManifestPut(List<JournalRecord> journal) {
        List<String> t = types(journal);
        int put = t.indexOf("ManifestPut");
        int linked = t.subList(0, put).lastIndexOf("BlobLinked");
        return t.subList(linked + 1, put + 1);
    }

    static byte[] layer(int size, long seed) {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        return TestImage.tar("data" + seed, content);
    }

    static String config(byte[]... tars) {
        StringBuilder ids = new StringBuilder();
        for (byte[] t : tars) {
            ids.append(ids.length() == 0 ? "" : ",").append('"').append(TestRegistry.sha256(t)).append('"');
        }
        return "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[" + ids + "]}}";
    }

    @Test
    void skopeoPushAppliesTheLayersStagedWhileTheyStreamedIn() throws Exception {
        assumeTrue(Tools.onPath("skopeo"), "skopeo is not installed (Debian package skopeo)");
        Path layout = dir.resolve("src");
        Descriptor manifest = TestImage.write(layout, "v1", 3, 300_000, 7);
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"))) {
            RealClientsTest.ok(dir, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":v1",
                    "docker://" + registry.hostPort() + "/" + REPO + ":v1");
            List<JournalRecord> journal = TestRegistry.journal(registry);
            assertThat(types(journal).stream().filter("StagingStarted"::equals)).as("one extraction per layer")
                    .hasSize(3);
            assertThat(types(journal).stream().filter("DiffStaged"::equals)).hasSize(3);
            assertThat(atManifestPut(journal)).as("the manifest PUT applies, it does not extract")
                    .doesNotContain("StagingStarted")
                    .containsSubsequence("LayerCreated", "LayerCommitted", "ImageCreated", "ImageCommitted",
                            "ManifestPut");
            // the stagings were started by the uploads, as the request's actor, before the blobs were linked
            assertThat(journal.stream().filter(r -> r.event().type().equals("StagingStarted")))
                    .allMatch(r -> "anonymous".equals(r.actor().principal()));
            LayerStore store = registry.storage.store();
            assertThat(store.image(REPO + ":v1").manifestDigest().toString()).isEqualTo(manifest.digest().toString());
            assertThat(store.image(REPO + ":v1").layers()).hasSize(3);
            assertThat(store.stagings()).as("every staging applied and cleaned").isEmpty();
            Path back = dir.resolve("back");
            RealClientsTest.ok(dir, "skopeo", "copy", "--src-tls-verify=false",
                    "docker://" + registry.hostPort() + "/" + REPO + ":v1", "oci:" + back + ":v1");
            assertThat(RealClientsTest.blobs(back)).isEqualTo(RealClientsTest.blobs(layout));
        }
    }

    @Test
    void aChunkedUploadFeedsOneStagingAcrossItsRequests() throws Exception {
        byte[] tar = layer(200_000, 1);
        byte[] gz = TestImage.gzip(tar);
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"))) {
            String location = registry.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]).headers()
                    .firstValue("Location").orElseThrow();
            int a = gz.length / 3;
            int b = 2 * gz.length / 3;
            assertThat(registry.patch(location, Arrays.copyOfRange(gz, 0, a), "Content-Range", "0-" + (a - 1))
                    .statusCode()).isEqualTo(202);
            assertThat(registry.storage.stagingsFeeding()).isEqualTo(1);
            assertThat(registry.patch(location, Arrays.copyOfRange(gz, a, b), "Content-Range",
                    a + "-" + (b - 1)).statusCode()).isEqualTo(202);
            HttpResponse<byte[]> put = registry.put(location + "?digest=" + TestRegistry.sha256(gz),
                    Arrays.copyOfRange(gz, b, gz.length), "Content-Range", b + "-" + (gz.length - 1));
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(registry.storage.stagingsFeeding()).isZero();
            assertThat(registry.storage.stagingsWaiting()).as("staged, waiting for its manifest").isEqualTo(1);

            String config = config(tar);
            String c = registry.pushBlob(REPO, config.getBytes(StandardCharsets.UTF_8));
            registry.pushManifest(REPO, "v1", MediaTypes.OCI_MANIFEST, TestRegistry.ociManifest(c,
                    config.length(), null, TestRegistry.sha256(gz), gz.length));
            List<JournalRecord> journal = TestRegistry.journal(registry);
            assertThat(types(journal).stream().filter("StagingStarted"::equals)).hasSize(1);
            assertThat(atManifestPut(journal)).doesNotContain("StagingStarted").contains("LayerCommitted");
            assertThat(registry.storage.store().image(REPO + ":v1").layers()).hasSize(1);
            assertThat(registry.storage.store().stagings()).isEmpty();
            assertThat(registry.storage.stagingsWaiting()).isZero();
        }
    }

    @Test
    void blobsThatAreNotLayersAreStoredOnlyAndAStreamThatIsNotATarIsDroppedQuietly() throws Exception {
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"))) {
            registry.pushBlob(REPO, "{\"just\":\"a config\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(types(TestRegistry.journal(registry))).doesNotContain("StagingStarted");

            // gzip's magic, then bytes no gzip reader accepts: its staging fails, the blob is still the blob
            byte[] fake = new byte[100_000];
            new Random(3).nextBytes(fake);
            fake[0] = 0x1f;
            fake[1] = (byte) 0x8b;
            fake[2] = 8;
            String d = registry.pushBlob(REPO, fake);
            assertThat(registry.get("/v2/" + REPO + "/blobs/" + d).body()).isEqualTo(fake);
            awaitNoStagings(registry.storage.store());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (registry.storage.stagingsWaiting() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(registry.storage.stagingsWaiting()).isZero();
            assertThat(types(TestRegistry.journal(registry))).containsSubsequence("StagingStarted",
                    "StagingDiscarded").doesNotContain("DiffStaged");
        }
    }

    @Test
    void theAgePolicyReclaimsAnAbandonedUploadWithItsStagingAndStagingsNoManifestClaimed() throws Exception {
        byte[] gz = TestImage.gzip(layer(300_000, 2));
        byte[] other = TestImage.gzip(layer(1000, 4));
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"))) {
            String location = registry.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]).headers()
                    .firstValue("Location").orElseThrow();
            assertThat(registry.patch(location, Arrays.copyOfRange(gz, 0, gz.length / 2), "Content-Range",
                    "0-" + (gz.length / 2 - 1)).statusCode()).isEqualTo(202);
            registry.pushBlob(REPO, other); // staged, and no manifest will claim it
            assertThat(registry.storage.stagingsFeeding()).isEqualTo(1);
            assertThat(registry.storage.stagingsWaiting()).isEqualTo(1);
            // the second finishes beside the requests: wait for it, the first is waiting for its next chunk
            awaitStagings(registry.storage.store(), List.of(StagingInfo.State.STAGING, StagingInfo.State.STAGED));

            List<UploadId> gone = registry.storage.reclaimUploads(Instant.now().plusSeconds(1),
                    AuditContext.system("reclaim"));
            assertThat(gone).hasSize(1);
            assertThat(registry.storage.stagingsFeeding()).isZero();
            assertThat(registry.storage.stagingsWaiting()).isZero();
            awaitNoStagings(registry.storage.store());
            assertThat(types(TestRegistry.journal(registry)).stream().filter("StagingDiscarded"::equals)).hasSize(2);
            assertThat(registry.get("/v2/" + REPO + "/blobs/" + TestRegistry.sha256(other)).statusCode())
                    .as("the blob stays").isEqualTo(200);
        }
    }

    @Test
    void beyondTheBoundOfStagingsAnUploadIsJustStoredAndItsLayerImportedAtTheManifest() throws Exception {
        byte[] first = layer(300_000, 8);
        byte[] second = layer(100_000, 9);
        byte[] gz = TestImage.gzip(first);
        byte[] gz2 = TestImage.gzip(second);
        try (TestRegistry registry = TestRegistry.start(LayerStoreStorage.open(dir.resolve("registry"), 1),
                c -> c)) {
            String location = registry.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]).headers()
                    .firstValue("Location").orElseThrow();
            assertThat(registry.patch(location, Arrays.copyOf(gz, 1000), "Content-Range", "0-999").statusCode())
                    .isEqualTo(202);
            registry.pushBlob(REPO, gz2); // the one slot is the first upload's
            assertThat(registry.storage.stagingsWaiting()).isZero();
            assertThat(registry.put(location + "?digest=" + TestRegistry.sha256(gz),
                    Arrays.copyOfRange(gz, 1000, gz.length), "Content-Range", "1000-" + (gz.length - 1))
                    .statusCode()).isEqualTo(201);
            assertThat(registry.storage.stagingsWaiting()).isEqualTo(1);
            String config = config(first, second);
            String c = registry.pushBlob(REPO, config.getBytes(StandardCharsets.UTF_8));
            registry.pushManifest(REPO, "v1", MediaTypes.OCI_MANIFEST, TestRegistry.ociManifest(c,
                    config.length(), null, TestRegistry.sha256(gz), gz.length, TestRegistry.sha256(gz2),
                    gz2.length));
            List<JournalRecord> journal = TestRegistry.journal(registry);
            assertThat(types(journal).stream().filter("StagingStarted"::equals)).hasSize(2);
            assertThat(atManifestPut(journal).stream().filter("StagingStarted"::equals))
                    .as("only the layer beyond the bound is extracted at the manifest PUT").hasSize(1);
            assertThat(registry.storage.store().image(REPO + ":v1").layers()).hasSize(2);
            assertThat(registry.storage.store().stagings()).isEmpty();
        }
    }

    static void awaitNoStagings(LayerStore store) throws Exception {
        awaitStagings(store, List.of());
    }

    /** Waits (up to 30 s) until the store's stagings are in these states, in order of their start. */
    static void awaitStagings(LayerStore store, List<StagingInfo.State> states) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!store.stagings().stream().map(StagingInfo::state).toList().equals(states)
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(store.stagings()).extracting(StagingInfo::state).isEqualTo(states);
    }

    /** A registry child process: {@code <root>}; prints its port, serves until killed. */
    public static void main(String[] args) throws Exception {
        LayerStoreStorage storage = LayerStoreStorage.open(Path.of(args[0]));
        RegistryServer server = RegistryServer.start(RegistryConfig.defaults()
                .withListen(new InetSocketAddress("127.0.0.1", 0)), storage);
        System.out.println(server.port());
        System.out.flush();
        server.join();
    }

    @Test
    void aServerKilledInTheMiddleOfALayerLeavesNoPartialLayerAndItsStagingIsRecovered() throws Exception {
        Path root = dir.resolve("store");
        byte[] tar = layer(2_000_000, 5);
        byte[] gz = TestImage.gzip(tar);
        int half = gz.length / 2;
        Process child = new ProcessBuilder(dev.cairn.store.ChildJvm.command(List.of(), List.of(),
                StreamedStagingsTest.class, root.toString())).redirectError(dir.resolve("child.err").toFile())
                .start();
        String location;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String base = "http://127.0.0.1:" + out.readLine().strip();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<Void> post = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/" + REPO
                    + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            location = post.headers().firstValue("Location").orElseThrow();
            HttpResponse<Void> patch = http.send(HttpRequest.newBuilder(URI.create(base + location))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOf(gz, half)))
                    .header("Content-Type", "application/octet-stream").header("Content-Range", "0-" + (half - 1))
                    .build(), HttpResponse.BodyHandlers.discarding());
            assertThat(patch.statusCode()).isEqualTo(202);
            // the child is extracting the layer: its staging is journaled, its owner alive
            try (LayerStore view = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (view.stagings().stream().noneMatch(s -> s.state() == StagingInfo.State.STAGING)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(view.stagings()).extracting(StagingInfo::state)
                        .containsExactly(StagingInfo.State.STAGING);
            }
        } finally {
            child.destroyForcibly(); // SIGKILL
            child.waitFor(30, TimeUnit.SECONDS);
        }

        try (TestRegistry registry = TestRegistry.start(root)) {
            LayerStore store = registry.storage.store();
            assertThat(types(store.recoveryReport().actions())).contains("StagingDiscarded");
            assertThat(store.stagings()).isEmpty();
            assertThat(store.layers()).isEmpty();
            assertThat(store.images()).isEmpty();
            // the upload survived at its durable offset: the client resumes it and pushes the image
            HttpResponse<byte[]> status = registry.get(location);
            assertThat(status.headers().firstValue("Range")).hasValue("0-" + (half - 1));
            HttpResponse<byte[]> put = registry.put(location + "?digest=" + TestRegistry.sha256(gz),
                    Arrays.copyOfRange(gz, half, gz.length), "Content-Range", half + "-" + (gz.length - 1));
            assertThat(put.statusCode()).isEqualTo(201);
            String config = config(tar);
            String c = registry.pushBlob(REPO, config.getBytes(StandardCharsets.UTF_8));
            registry.pushManifest(REPO, "v1", MediaTypes.OCI_MANIFEST, TestRegistry.ociManifest(c,
                    config.length(), null, TestRegistry.sha256(gz), gz.length));
            // no staging of its own (the upload began in the dead process): imported from the blob instead
            assertThat(store.image(REPO + ":v1").layers()).hasSize(1);
            assertThat(store.stagings()).isEmpty();
            assertThat(store.checkout(store.image(REPO + ":v1").topLayer().orElseThrow().hex(),
                    dir.resolve("rootfs")).fileBytes()).isEqualTo(2_000_000);
        }
    }
}
