package dev.cairn.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A registry on an ephemeral loopback port over a {@link LayerStoreStorage} (a store in a test's folder), and a small HTTP client
 * for it (the JDK's: requests as a registry client writes them, nothing of Cairn's).
 */
final class TestRegistry implements AutoCloseable {

    final LayerStoreStorage storage;
    final RegistryServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The server's request log, one line a request. */
    final List<String> log;

    private TestRegistry(LayerStoreStorage storage, RegistryServer server, List<String> log) {
        this.storage = storage;
        this.server = server;
        this.log = log;
    }

    static TestRegistry start(Path dir) throws IOException {
        return start(dir, c -> c);
    }

    static TestRegistry start(Path dir, UnaryOperator<RegistryConfig> config) throws IOException {
        return start(LayerStoreStorage.open(dir), config);
    }

    /** A registry over {@code storage}, which it closes. */
    static TestRegistry start(LayerStoreStorage storage, UnaryOperator<RegistryConfig> config) throws IOException {
        List<String> log = new CopyOnWriteArrayList<>();
        RegistryConfig c = config.apply(RegistryConfig.defaults().withListen(new InetSocketAddress("127.0.0.1", 0))
                .withRequestLog(log::add));
        return new TestRegistry(storage, RegistryServer.start(c, storage), log);
    }

    /** Every record of the store's journal so far, oldest first. */
    static List<dev.cairn.model.JournalRecord> journal(TestRegistry registry) throws IOException {
        try (java.util.stream.Stream<dev.cairn.model.JournalRecord> h = registry.storage.store().history(1)) {
            return h.toList();
        }
    }

    /** The host:port clients such as skopeo name it by. */
    String hostPort() {
        return "127.0.0.1:" + server.port();
    }

    URI uri(String path) {
        return URI.create(server.url() + path);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path));
    }

    HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    HttpResponse<byte[]> head(String path) throws IOException, InterruptedException {
        return send(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    }

    HttpResponse<byte[]> delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE().build());
    }

    HttpResponse<byte[]> post(String path, byte[] body) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    HttpResponse<byte[]> put(String path, byte[] body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    HttpResponse<byte[]> patch(String path, byte[] body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/octet-stream");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    /** Pushes a blob monolithically (POST with ?digest=) and returns its digest. */
    String pushBlob(String repo, byte[] content) throws IOException, InterruptedException {
        String digest = sha256(content);
        HttpResponse<byte[]> r = post("/v2/" + repo + "/blobs/uploads/?digest=" + digest, content);
        if (r.statusCode() != 201) {
            throw new IllegalStateException("push of " + digest + " answered " + r.statusCode() + " " + text(r));
        }
        return digest;
    }

    /** Pushes a manifest and returns its digest. */
    String pushManifest(String repo, String reference, String mediaType, String json)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> r = put("/v2/" + repo + "/manifests/" + reference, json.getBytes(StandardCharsets.UTF_8),
                "Content-Type", mediaType);
        if (r.statusCode() != 201) {
            throw new IllegalStateException("manifest push answered " + r.statusCode() + " " + text(r));
        }
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha512(byte[] content) {
        try {
            return "sha512:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An OCI image manifest of a config and layers (digest and size each), with optional extra top-level JSON. */
    static String ociManifest(String configDigest, int configSize, String extra, Object... layers) {
        StringBuilder sb = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + configSize + "},\"layers\":[");
        for (int i = 0; i < layers.length; i += 2) {
            sb.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",")
                    .append("\"digest\":\"").append(layers[i]).append("\",\"size\":").append(layers[i + 1]).append('}');
        }
        sb.append(']').append(extra == null ? "" : "," + extra).append('}');
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        try (storage) {
            server.close();
        }
    }
}
