package dev.cairn.registry;

import static dev.cairn.registry.TestRegistry.ociManifest;
import static dev.cairn.registry.TestRegistry.sha256;
import static dev.cairn.registry.TestRegistry.sha512;
import static dev.cairn.registry.TestRegistry.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution spec's four conformance workflows — pull, push, content discovery, content management — as requests
 * a client sends and the answers the spec requires, against a running {@link RegistryServer}.
 */
class RegistryServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    @TempDir
    Path dir;
    TestRegistry registry;

    @BeforeEach
    void start() throws IOException {
        registry = TestRegistry.start(dir.resolve("registry"), c -> c.withMaxOpenUploads(5).withMaxManifestBytes(64 * 1024));
    }

    @AfterEach
    void stop() throws IOException {
        registry.log.stream().filter(l -> l.startsWith("error")).forEach(System.out::println);
        registry.close();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    static String errorCode(HttpResponse<byte[]> r) throws IOException {
        return json(r).path("errors").path(0).path("code").asText();
    }

    /** A pushed image: config and one layer in repository {@code repo}, tagged {@code tag}. */
    record Pushed(String config, byte[] configBytes, String layer, byte[] layerBytes, String manifest, String json) {
    }

    Pushed pushImage(String repo, String tag) throws Exception {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(100_000, tag.hashCode());
        String c = registry.pushBlob(repo, config);
        String l = registry.pushBlob(repo, layer);
        String m = ociManifest(c, config.length, null, l, layer.length);
        return new Pushed(c, config, l, layer, registry.pushManifest(repo, tag, OCI_MANIFEST, m), m);
    }

    @Test
    void everyResponseCarriesARequestIdAndTheApiVersion() throws Exception {
        HttpResponse<byte[]> r = registry.get("/v2/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(r.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
        assertThat(registry.get("/v2/no/such/endpoint").statusCode()).isEqualTo(404);
    }

    @Test
    void pullsAreAuditedOnlyWhenAsked() throws Exception {
        Pushed p = pushImage("app", "v1");
        registry.get("/v2/app/manifests/v1");
        assertThat(TestRegistry.journal(registry)).noneMatch(r -> r.event() instanceof dev.cairn.model.Event.Pulled);
        registry.close();
        registry = TestRegistry.start(dir.resolve("registry"), c -> c.withAuditReads(true));
        HttpResponse<byte[]> r = registry.get("/v2/app/manifests/v1");
        registry.get("/v2/app/blobs/" + p.layer());
        registry.head("/v2/app/blobs/" + p.layer());
        List<dev.cairn.model.JournalRecord> pulls = TestRegistry.journal(registry).stream()
                .filter(x -> x.event() instanceof dev.cairn.model.Event.Pulled).toList();
        assertThat(pulls).as("a HEAD is no pull").hasSize(2);
        assertThat(((dev.cairn.model.Event.Pulled) pulls.get(0).event()).what()).contains("tag:v1 " + p.manifest());
        assertThat(pulls.get(0).actor().requestId()).isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(((dev.cairn.model.Event.Pulled) pulls.get(1).event()).what()).contains(p.layer());
    }

    @Test
    void concurrentClientsPushAndPullAtOnce() throws Exception {
        registry.close();
        registry = TestRegistry.start(dir.resolve("registry"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<String>> pushes = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String repo = "clients/c" + (i % 4);
                String tag = "t" + i;
                pushes.add(pool.submit(() -> {
                    Pushed p = pushImage(repo, tag);
                    assertThat(registry.get("/v2/" + repo + "/blobs/" + p.layer()).body()).isEqualTo(p.layerBytes());
                    return p.manifest();
                }));
            }
            for (int i = 0; i < 16; i++) {
                String digest = pushes.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(registry.get("/v2/clients/c" + (i % 4) + "/manifests/t" + i).headers()
                        .firstValue("Docker-Content-Digest")).hasValue(digest);
            }
            assertThat(json(registry.get("/v2/clients/c0/tags/list")).path("tags")).hasSize(4);
            assertThat(registry.storage.openUploads()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Nested
    class Pull {
        @Test
        void manifestByTagAndByDigestIsTheExactBytesPushed() throws Exception {
            Pushed p = pushImage("library/app", "v1");
            for (String ref : List.of("v1", p.manifest())) {
                HttpResponse<byte[]> r = registry.get("/v2/library/app/manifests/" + ref, "Accept", OCI_MANIFEST);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(text(r)).isEqualTo(p.json());
                assertThat(r.headers().firstValue("Content-Type")).hasValue(OCI_MANIFEST);
                assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(p.manifest());
            }
            HttpResponse<byte[]> head = registry.head("/v2/library/app/manifests/v1");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(p.json().length());
            assertThat(head.body()).isEmpty();
        }

        @Test
        void blobsAreServedWholeAndByRange() throws Exception {
            Pushed p = pushImage("app", "v1");
            String path = "/v2/app/blobs/" + p.layer();
            HttpResponse<byte[]> whole = registry.get(path);
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(whole.body()).isEqualTo(p.layerBytes());
            assertThat(whole.headers().firstValue("Docker-Content-Digest")).hasValue(p.layer());

            HttpResponse<byte[]> part = registry.get(path, "Range", "bytes=10-19");
            assertThat(part.statusCode()).isEqualTo(206);
            assertThat(part.body()).isEqualTo(Arrays.copyOfRange(p.layerBytes(), 10, 20));
            assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 10-19/100000");

            HttpResponse<byte[]> tail = registry.get(path, "Range", "bytes=99990-");
            assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(p.layerBytes(), 99_990, 100_000));
            HttpResponse<byte[]> suffix = registry.get(path, "Range", "bytes=-5");
            assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(p.layerBytes(), 99_995, 100_000));
            HttpResponse<byte[]> past = registry.get(path, "Range", "bytes=100000-");
            assertThat(past.statusCode()).isEqualTo(416);
            assertThat(past.headers().firstValue("Content-Range")).hasValue("bytes */100000");
            assertThat(registry.get(path, "Range", "bytes=500-0").statusCode()).as("ends before it starts")
                    .isEqualTo(416);
            HttpResponse<byte[]> several = registry.get(path, "Range", "bytes=0-1,5-6");
            assertThat(several.statusCode()).as("several ranges are ignored (RFC 9110)").isEqualTo(200);

            HttpResponse<byte[]> head = registry.head(path);
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(100_000);
        }

        @Test
        void unknownThingsAre404WithTheSpecsCodes() throws Exception {
            pushImage("app", "v1");
            String missing = sha256(new byte[] {1});
            assertThat(errorCode(registry.get("/v2/app/blobs/" + missing))).isEqualTo("BLOB_UNKNOWN");
            assertThat(registry.head("/v2/app/blobs/" + missing).statusCode()).isEqualTo(404);
            assertThat(errorCode(registry.get("/v2/app/manifests/nope"))).isEqualTo("MANIFEST_UNKNOWN");
            assertThat(errorCode(registry.get("/v2/app/manifests/" + missing))).isEqualTo("MANIFEST_UNKNOWN");
            assertThat(errorCode(registry.get("/v2/other/manifests/v1"))).isEqualTo("MANIFEST_UNKNOWN");
        }

        @Test
        void contentNegotiationServesTheTypePushedToClientsThatAcceptIt() throws Exception {
            pushImage("app", "v1");
            String path = "/v2/app/manifests/v1";
            assertThat(registry.get(path).statusCode()).as("no Accept").isEqualTo(200);
            assertThat(registry.get(path, "Accept", DOCKER_MANIFEST + ", " + OCI_MANIFEST + ";q=0.5").statusCode())
                    .isEqualTo(200);
            assertThat(registry.get(path, "Accept", "*/*").statusCode()).isEqualTo(200);
            HttpResponse<byte[]> refused = registry.get(path, "Accept", DOCKER_MANIFEST);
            assertThat(refused.statusCode()).isEqualTo(404);
            assertThat(errorCode(refused)).isEqualTo("MANIFEST_UNKNOWN");
            assertThat(registry.get(path, "Accept", OCI_MANIFEST + ";q=0").statusCode()).isEqualTo(404);
            assertThat(registry.get(path, "Accept", OCI_INDEX, "Accept", OCI_MANIFEST).statusCode())
                    .as("one Accept line per type, as Go clients send them").isEqualTo(200);
        }

        @Test
        void badNamesAndDigestsAre400() throws Exception {
            assertThat(errorCode(registry.get("/v2/UPPER/manifests/v1"))).isEqualTo("NAME_INVALID");
            HttpResponse<byte[]> tricky = registry.get("/v2/a%2F..%2Fb/manifests/v1");
            assertThat(tricky.statusCode()).isEqualTo(400);
            assertThat(json(tricky).path("errors").path(0).path("code").asText()).isNotEmpty();
            assertThat(errorCode(registry.get("/v2/app/blobs/sha256:abc"))).isEqualTo("DIGEST_INVALID");
            assertThat(errorCode(registry.get("/v2/app/blobs/md5:" + "0".repeat(32)))).isEqualTo("DIGEST_INVALID");
        }
    }

    @Nested
    class Push {
        @Test
        void postThenPutMonolithic() throws Exception {
            byte[] blob = random(5000, 1);
            HttpResponse<byte[]> post = registry.post("/v2/app/blobs/uploads/", new byte[0]);
            assertThat(post.statusCode()).isEqualTo(202);
            String location = post.headers().firstValue("Location").orElseThrow();
            assertThat(post.headers().firstValue("Docker-Upload-UUID")).isPresent();
            HttpResponse<byte[]> put = registry.put(location + "?digest=" + sha256(blob), blob);
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(put.headers().firstValue("Location")).hasValue("/v2/app/blobs/" + sha256(blob));
            assertThat(registry.get("/v2/app/blobs/" + sha256(blob)).body()).isEqualTo(blob);
        }

        @Test
        void chunkedUploadReportsRangesAndRefusesOutOfOrderChunksWith416() throws Exception {
            byte[] blob = random(30_000, 2);
            String location = registry.post("/v2/app/blobs/uploads/", new byte[0]).headers()
                    .firstValue("Location").orElseThrow();
            HttpResponse<byte[]> first = registry.patch(location, Arrays.copyOfRange(blob, 0, 10_000),
                    "Content-Range", "0-9999");
            assertThat(first.statusCode()).isEqualTo(202);
            assertThat(first.headers().firstValue("Range")).hasValue("0-9999");
            location = first.headers().firstValue("Location").orElseThrow();

            HttpResponse<byte[]> skip = registry.patch(location, Arrays.copyOfRange(blob, 20_000, 30_000),
                    "Content-Range", "20000-29999");
            assertThat(skip.statusCode()).isEqualTo(416);
            assertThat(skip.headers().firstValue("Location")).hasValue(location);
            HttpResponse<byte[]> again = registry.patch(location, Arrays.copyOfRange(blob, 0, 10_000),
                    "Content-Range", "0-9999");
            assertThat(again.statusCode()).as("a chunk sent twice").isEqualTo(416);

            HttpResponse<byte[]> status = registry.get(location);
            assertThat(status.statusCode()).isEqualTo(204);
            assertThat(status.headers().firstValue("Range")).hasValue("0-9999");

            assertThat(registry.patch(location, Arrays.copyOfRange(blob, 10_000, 20_000), "Content-Range",
                    "10000-19999").statusCode()).isEqualTo(202);
            // The last chunk in the closing PUT.
            HttpResponse<byte[]> put = registry.put(location + "?digest=" + sha256(blob),
                    Arrays.copyOfRange(blob, 20_000, 30_000), "Content-Range", "20000-29999");
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(registry.get("/v2/app/blobs/" + sha256(blob)).body()).isEqualTo(blob);
        }

        @Test
        void streamedPatchWithoutLengthOrRange() throws Exception {
            byte[] blob = random(3_000_000, 3);
            String location = registry.post("/v2/app/blobs/uploads/", new byte[0]).headers()
                    .firstValue("Location").orElseThrow();
            HttpResponse<byte[]> patch = registry.send(registry.request(location)
                    .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(blob)))
                    .header("Content-Type", "application/octet-stream").build());
            assertThat(patch.statusCode()).isEqualTo(202);
            assertThat(patch.headers().firstValue("Range")).hasValue("0-2999999");
            assertThat(registry.put(patch.headers().firstValue("Location").orElseThrow() + "?digest=" + sha256(blob),
                    new byte[0]).statusCode()).isEqualTo(201);
            assertThat(registry.get("/v2/app/blobs/" + sha256(blob)).body()).isEqualTo(blob);
        }

        @Test
        void aWrongDigestIs400AndKeepsNothing() throws Exception {
            byte[] blob = random(1000, 4);
            String wrong = sha256(new byte[] {9});
            HttpResponse<byte[]> r = registry.post("/v2/app/blobs/uploads/?digest=" + wrong, blob);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
            assertThat(registry.head("/v2/app/blobs/" + wrong).statusCode()).isEqualTo(404);
            assertThat(registry.head("/v2/app/blobs/" + sha256(blob)).statusCode()).isEqualTo(404);
            assertThat(registry.storage.openUploads()).isZero();
        }

        @Test
        void sha512Blobs() throws Exception {
            byte[] blob = random(2000, 5);
            String location = registry.post("/v2/app/blobs/uploads/", new byte[0]).headers()
                    .firstValue("Location").orElseThrow();
            assertThat(registry.put(location + "?digest=" + sha512(blob), blob).statusCode()).isEqualTo(201);
            assertThat(registry.get("/v2/app/blobs/" + sha512(blob)).body()).isEqualTo(blob);
            HttpResponse<byte[]> mono = registry.post("/v2/app/blobs/uploads/?digest-algorithm=sha512&digest="
                    + sha512(random(10, 6)), random(10, 6));
            assertThat(mono.statusCode()).isEqualTo(201);
            assertThat(mono.headers().firstValue("Docker-Content-Digest")).hasValue(sha512(random(10, 6)));
        }

        @Test
        void anEmptyBlob() throws Exception {
            String digest = registry.pushBlob("app", new byte[0]);
            HttpResponse<byte[]> r = registry.get("/v2/app/blobs/" + digest);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEmpty();
        }

        @Test
        void cancelledUploadIsGone() throws Exception {
            String location = registry.post("/v2/app/blobs/uploads/", new byte[0]).headers()
                    .firstValue("Location").orElseThrow();
            assertThat(registry.delete(location).statusCode()).isEqualTo(204);
            assertThat(errorCode(registry.get(location))).isEqualTo("BLOB_UPLOAD_UNKNOWN");
            assertThat(registry.patch(location, new byte[] {1}).statusCode()).isEqualTo(404);
        }

        @Test
        void anUploadBelongsToItsRepository() throws Exception {
            String location = registry.post("/v2/app/blobs/uploads/", new byte[0]).headers()
                    .firstValue("Location").orElseThrow();
            String elsewhere = location.replace("/v2/app/", "/v2/other/");
            assertThat(errorCode(registry.get(elsewhere))).isEqualTo("BLOB_UPLOAD_UNKNOWN");
            assertThat(errorCode(registry.get("/v2/app/blobs/uploads/not-an-id"))).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        }

        @Test
        void crossRepositoryMount() throws Exception {
            Pushed p = pushImage("source", "v1");
            HttpResponse<byte[]> mounted = registry.post("/v2/target/blobs/uploads/?mount=" + p.layer()
                    + "&from=source", new byte[0]);
            assertThat(mounted.statusCode()).isEqualTo(201);
            assertThat(mounted.headers().firstValue("Location")).hasValue("/v2/target/blobs/" + p.layer());
            assertThat(registry.get("/v2/target/blobs/" + p.layer()).body()).isEqualTo(p.layerBytes());

            HttpResponse<byte[]> anywhere = registry.post("/v2/third/blobs/uploads/?mount=" + p.config(), new byte[0]);
            assertThat(anywhere.statusCode()).as("without from, where every repository may be read").isEqualTo(201);

            HttpResponse<byte[]> absent = registry.post("/v2/target/blobs/uploads/?mount=" + sha256(new byte[] {7})
                    + "&from=source", new byte[0]);
            assertThat(absent.statusCode()).as("nothing to mount: an upload session instead").isEqualTo(202);
            assertThat(absent.headers().firstValue("Location")).isPresent();
        }

        @Test
        void manifestsNamingMissingBlobsAreRefused() throws Exception {
            byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
            String c = registry.pushBlob("app", config);
            String missing = sha256(new byte[] {4, 2});
            HttpResponse<byte[]> r = registry.put("/v2/app/manifests/v1",
                    ociManifest(c, 2, null, missing, 2).getBytes(StandardCharsets.UTF_8), "Content-Type", OCI_MANIFEST);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
            assertThat(json(r).path("errors").path(0).path("detail").path("digest").asText()).isEqualTo(missing);
            assertThat(registry.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
        }

        @Test
        void nonDistributableLayersNeedNotBePushed() throws Exception {
            String c = registry.pushBlob("app", "{}".getBytes(StandardCharsets.UTF_8));
            String foreign = sha256(new byte[] {3});
            String m = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                    + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + c + "\",\"size\":2},\"layers\":[{"
                    + "\"mediaType\":\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\",\"digest\":\""
                    + foreign + "\",\"size\":1,\"urls\":[\"https://example.com/layer\"]}]}";
            assertThat(registry.put("/v2/app/manifests/v1", m.getBytes(StandardCharsets.UTF_8), "Content-Type",
                    OCI_MANIFEST).statusCode()).isEqualTo(201);
        }

        @Test
        void invalidOversizedAndMislabelledManifestsAreRefused() throws Exception {
            Pushed p = pushImage("app", "v1");
            HttpResponse<byte[]> notJson = registry.put("/v2/app/manifests/v2", "nope".getBytes(StandardCharsets.UTF_8),
                    "Content-Type", OCI_MANIFEST);
            assertThat(errorCode(notJson)).isEqualTo("MANIFEST_INVALID");
            HttpResponse<byte[]> mislabelled = registry.put("/v2/app/manifests/v2",
                    p.json().getBytes(StandardCharsets.UTF_8), "Content-Type", DOCKER_MANIFEST);
            assertThat(errorCode(mislabelled)).isEqualTo("MANIFEST_INVALID");
            byte[] big = new byte[64 * 1024 + 1];
            Arrays.fill(big, (byte) ' ');
            assertThat(registry.put("/v2/app/manifests/v2", big, "Content-Type", OCI_MANIFEST).statusCode())
                    .isEqualTo(413);
            HttpResponse<byte[]> wrongDigest = registry.put("/v2/app/manifests/" + sha256(new byte[] {1}),
                    p.json().getBytes(StandardCharsets.UTF_8), "Content-Type", OCI_MANIFEST);
            assertThat(errorCode(wrongDigest)).isEqualTo("DIGEST_INVALID");
            assertThat(registry.get("/v2/app/manifests/v2").statusCode()).isEqualTo(404);
        }

        @Test
        void manifestByDigestWithTagParametersAndSha512() throws Exception {
            Pushed p = pushImage("app", "v1");
            byte[] bytes = p.json().getBytes(StandardCharsets.UTF_8);
            HttpResponse<byte[]> r = registry.put("/v2/app/manifests/" + sha512(bytes) + "?tag=a&tag=b", bytes,
                    "Content-Type", OCI_MANIFEST);
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(sha512(bytes));
            assertThat(r.headers().firstValue("OCI-Tag")).hasValue("a, b");
            assertThat(registry.get("/v2/app/manifests/a").headers().firstValue("Docker-Content-Digest"))
                    .hasValue(sha512(bytes));
            assertThat(registry.get("/v2/app/manifests/" + sha512(bytes)).body()).isEqualTo(bytes);
        }

        @Test
        void dockerSchema2AndIndexes() throws Exception {
            Pushed p = pushImage("app", "v1");
            String docker = "{\"schemaVersion\":2,\"mediaType\":\"" + DOCKER_MANIFEST + "\",\"config\":{\"mediaType\":"
                    + "\"application/vnd.docker.container.image.v1+json\",\"size\":" + p.configBytes().length
                    + ",\"digest\":\"" + p.config() + "\"},\"layers\":[{\"mediaType\":"
                    + "\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":100000,\"digest\":\"" + p.layer()
                    + "\"}]}";
            String d = registry.pushManifest("app", "docker", DOCKER_MANIFEST, docker);
            String index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                    + OCI_MANIFEST + "\",\"digest\":\"" + p.manifest() + "\",\"size\":" + p.json().length()
                    + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
            registry.pushManifest("app", "multi", OCI_INDEX, index);
            assertThat(registry.get("/v2/app/manifests/docker", "Accept", DOCKER_MANIFEST).headers()
                    .firstValue("Content-Type")).hasValue(DOCKER_MANIFEST);
            assertThat(registry.get("/v2/app/manifests/" + d).statusCode()).isEqualTo(200);
            assertThat(text(registry.get("/v2/app/manifests/multi", "Accept", OCI_INDEX))).isEqualTo(index);

            String dangling = index.replace(p.manifest(), sha256(new byte[] {5}));
            HttpResponse<byte[]> r = registry.put("/v2/app/manifests/bad", dangling.getBytes(StandardCharsets.UTF_8),
                    "Content-Type", OCI_INDEX);
            assertThat(errorCode(r)).as("an index naming a manifest the repository lacks").isEqualTo("MANIFEST_BLOB_UNKNOWN");
        }

        @Test
        void openUploadsAreLimited() throws Exception {
            List<String> locations = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                locations.add(registry.post("/v2/app/blobs/uploads/", new byte[0]).headers().firstValue("Location")
                        .orElseThrow());
            }
            HttpResponse<byte[]> refused = registry.post("/v2/app/blobs/uploads/", new byte[0]);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(errorCode(refused)).isEqualTo("TOOMANYREQUESTS");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            registry.delete(locations.get(0));
            assertThat(registry.post("/v2/app/blobs/uploads/", new byte[0]).statusCode()).isEqualTo(202);
        }
    }

    @Nested
    class ContentDiscovery {
        @Test
        void tagsListInOrderWithPagination() throws Exception {
            Pushed p = pushImage("app", "b");
            for (String t : List.of("a", "C", "c", "1.0")) {
                registry.pushManifest("app", t, OCI_MANIFEST, p.json());
            }
            JsonNode all = json(registry.get("/v2/app/tags/list"));
            assertThat(all.path("name").asText()).isEqualTo("app");
            assertThat(all.path("tags").toString()).isEqualTo("[\"1.0\",\"C\",\"a\",\"b\",\"c\"]");

            HttpResponse<byte[]> page = registry.get("/v2/app/tags/list?n=2");
            assertThat(json(page).path("tags").toString()).isEqualTo("[\"1.0\",\"C\"]");
            assertThat(page.headers().firstValue("Link")).hasValue("</v2/app/tags/list?n=2&last=C>; rel=\"next\"");
            HttpResponse<byte[]> next = registry.get("/v2/app/tags/list?n=2&last=C");
            assertThat(json(next).path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
            HttpResponse<byte[]> last = registry.get("/v2/app/tags/list?n=2&last=b");
            assertThat(json(last).path("tags").toString()).isEqualTo("[\"c\"]");
            assertThat(last.headers().firstValue("Link")).isEmpty();
            HttpResponse<byte[]> none = registry.get("/v2/app/tags/list?n=0");
            assertThat(json(none).path("tags").size()).isZero();
            assertThat(none.headers().firstValue("Link")).isEmpty();
            assertThat(json(registry.get("/v2/app/tags/list?last=b")).path("tags").toString()).isEqualTo("[\"c\"]");

            assertThat(errorCode(registry.get("/v2/never/pushed/tags/list"))).isEqualTo("NAME_UNKNOWN");
        }

        @Test
        void referrersWithArtifactTypeFilterAndTheSubjectHeader() throws Exception {
            Pushed p = pushImage("app", "v1");
            String empty = registry.pushBlob("app", "{}".getBytes(StandardCharsets.UTF_8));
            String subject = "\"subject\":{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + p.manifest()
                    + "\",\"size\":" + p.json().length() + "}";
            String sbom = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"artifactType\":"
                    + "\"application/vnd.example.sbom\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\","
                    + "\"digest\":\"" + empty + "\",\"size\":2},\"layers\":[]," + subject
                    + ",\"annotations\":{\"org.example\":\"yes\"}}";
            HttpResponse<byte[]> put = registry.put("/v2/app/manifests/" + sha256(sbom.getBytes(StandardCharsets.UTF_8)),
                    sbom.getBytes(StandardCharsets.UTF_8), "Content-Type", OCI_MANIFEST);
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(put.headers().firstValue("OCI-Subject")).hasValue(p.manifest());
            String sig = ociManifest(p.config(), p.configBytes().length, subject);
            String sigDigest = registry.pushManifest("app", sha256(sig.getBytes(StandardCharsets.UTF_8)), OCI_MANIFEST, sig);

            HttpResponse<byte[]> all = registry.get("/v2/app/referrers/" + p.manifest());
            assertThat(all.statusCode()).isEqualTo(200);
            assertThat(all.headers().firstValue("Content-Type")).hasValue(OCI_INDEX);
            JsonNode index = json(all);
            assertThat(index.path("manifests")).hasSize(2);
            JsonNode sbomEntry = null;
            for (JsonNode d : index.path("manifests")) {
                if (d.path("artifactType").asText().equals("application/vnd.example.sbom")) {
                    sbomEntry = d;
                } else {
                    assertThat(d.path("digest").asText()).isEqualTo(sigDigest);
                    assertThat(d.path("artifactType").asText()).as("the config's media type")
                            .isEqualTo("application/vnd.oci.image.config.v1+json");
                }
            }
            assertThat(sbomEntry).isNotNull();
            assertThat(sbomEntry.path("annotations").path("org.example").asText()).isEqualTo("yes");
            assertThat(sbomEntry.path("size").asInt()).isEqualTo(sbom.length());

            HttpResponse<byte[]> filtered = registry.get("/v2/app/referrers/" + p.manifest()
                    + "?artifactType=application/vnd.example.sbom");
            assertThat(json(filtered).path("manifests")).hasSize(1);
            assertThat(filtered.headers().firstValue("OCI-Filters-Applied")).hasValue("artifactType");

            HttpResponse<byte[]> nothing = registry.get("/v2/app/referrers/" + sha256(new byte[] {8}));
            assertThat(nothing.statusCode()).isEqualTo(200);
            assertThat(json(nothing).path("manifests")).isEmpty();
            assertThat(registry.get("/v2/app/referrers/sha256:nothex").statusCode()).isEqualTo(400);
        }

        @Test
        void aReferrerMayComeBeforeItsSubject() throws Exception {
            String c = registry.pushBlob("app", "{}".getBytes(StandardCharsets.UTF_8));
            String absent = sha256("not pushed yet".getBytes(StandardCharsets.UTF_8));
            String m = ociManifest(c, 2, "\"subject\":{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + absent
                    + "\",\"size\":14}");
            registry.pushManifest("app", "early", OCI_MANIFEST, m);
            assertThat(json(registry.get("/v2/app/referrers/" + absent)).path("manifests")).hasSize(1);
        }
    }

    @Nested
    class ContentManagement {
        @Test
        void deletingATagKeepsTheManifest() throws Exception {
            Pushed p = pushImage("app", "v1");
            assertThat(registry.delete("/v2/app/manifests/v1").statusCode()).isEqualTo(202);
            assertThat(registry.get("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
            assertThat(registry.get("/v2/app/manifests/" + p.manifest()).statusCode()).isEqualTo(200);
            assertThat(registry.delete("/v2/app/manifests/v1").statusCode()).isEqualTo(404);
        }

        @Test
        void deletingAManifestTakesItsTagsAndReferrerEntry() throws Exception {
            Pushed p = pushImage("app", "v1");
            registry.pushManifest("app", "also", OCI_MANIFEST, p.json());
            String subject = "\"subject\":{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + p.manifest()
                    + "\",\"size\":" + p.json().length() + "}";
            String ref = ociManifest(p.config(), p.configBytes().length, subject);
            String refDigest = registry.pushManifest("app", "sig", OCI_MANIFEST, ref);

            assertThat(registry.delete("/v2/app/manifests/" + p.manifest()).statusCode()).isEqualTo(202);
            assertThat(registry.get("/v2/app/manifests/" + p.manifest()).statusCode()).isEqualTo(404);
            assertThat(json(registry.get("/v2/app/tags/list")).path("tags").toString()).isEqualTo("[\"sig\"]");
            assertThat(registry.delete("/v2/app/manifests/" + refDigest).statusCode()).isEqualTo(202);
            assertThat(json(registry.get("/v2/app/referrers/" + p.manifest())).path("manifests")).isEmpty();
            assertThat(registry.delete("/v2/app/manifests/" + refDigest).statusCode()).isEqualTo(404);
        }

        @Test
        void deletingABlobFromOneRepositoryKeepsItInAnother() throws Exception {
            Pushed p = pushImage("one", "v1");
            registry.post("/v2/two/blobs/uploads/?mount=" + p.layer() + "&from=one", new byte[0]);
            assertThat(registry.delete("/v2/one/blobs/" + p.layer()).statusCode()).isEqualTo(202);
            assertThat(registry.head("/v2/one/blobs/" + p.layer()).statusCode()).isEqualTo(404);
            assertThat(registry.get("/v2/two/blobs/" + p.layer()).body()).isEqualTo(p.layerBytes());
            assertThat(errorCode(registry.delete("/v2/one/blobs/" + p.layer()))).isEqualTo("BLOB_UNKNOWN");
        }
    }
}
