package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.oci.Descriptor;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes and pulls with the clients registries are used with, as Debian packages them: skopeo (containers/image) and
 * podman. Digests must be identical both ways, and a tag one client pushed must give another the same bytes. Each test
 * skips, saying why, where its client is missing ({@code .ci/run} installs them).
 */
class RealClientsTest {

    @TempDir
    Path dir;

    record Run(int status, String output) {
    }

    static Run run(Path cwd, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Run ok(Path cwd, String... command) throws IOException, InterruptedException {
        Run r = run(cwd, command);
        assertThat(r.status()).as("%s\n%s", String.join(" ", command), r.output()).isZero();
        return r;
    }

    /** Every file under the layout's blobs/, by name (its digest) and bytes. */
    static List<String> blobs(Path layout) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.walk(layout.resolve("blobs"))) {
            s.filter(Files::isRegularFile).forEach(p -> names.add(p.getParent().getFileName() + ":" + p.getFileName()));
        }
        names.sort(null);
        return names;
    }

    @Test
    void skopeoPushesAnOciLayoutAndCopiesItBackWithTheSameDigests() throws Exception {
        assumeTrue(Tools.onPath("skopeo"), "skopeo is not installed (Debian package skopeo)");
        Path layout = dir.resolve("src");
        Descriptor manifest = TestImage.write(layout, "v1", 3, 300_000, 1);
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"))) {
            String ref = "docker://" + registry.hostPort() + "/test/app:v1";
            ok(dir, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":v1", ref);
            Run inspect = ok(dir, "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", ref);
            assertThat(inspect.output().strip()).isEqualTo(manifest.digest().toString());
            // The push is an image of the store: named by its tag, the manifest as pushed, its layers applied
            dev.cairn.model.ImageRecord image = registry.storage.store().image("test/app:v1");
            assertThat(image.manifestDigest().toString()).isEqualTo(manifest.digest().toString());
            assertThat(image.layers()).hasSize(3);
            assertThat(registry.storage.store().layer(image.topLayer().orElseThrow().hex()).parent()).isPresent();

            Path back = dir.resolve("back");
            ok(dir, "skopeo", "copy", "--src-tls-verify=false", ref, "oci:" + back + ":v1");
            assertThat(blobs(back)).isEqualTo(blobs(layout));
            for (String blob : blobs(layout)) {
                String[] p = blob.split(":");
                assertThat(Files.readAllBytes(back.resolve("blobs").resolve(p[0]).resolve(p[1])))
                        .isEqualTo(Files.readAllBytes(layout.resolve("blobs").resolve(p[0]).resolve(p[1])));
            }
            // Another client, the JDK's, reads the tag skopeo pushed as the very bytes of the layout's manifest.
            HttpResponse<byte[]> raw = registry.get("/v2/test/app/manifests/v1", "Accept", manifest.mediaType());
            assertThat(raw.body()).isEqualTo(Files.readAllBytes(layout.resolve("blobs/sha256")
                    .resolve(manifest.digest().encoded())));
            // A second push of the same image finds every blob there and moves nothing.
            Run again = ok(dir, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":v1",
                    "docker://" + registry.hostPort() + "/test/app:v2");
            assertThat(again.output()).contains("Writing manifest");
            assertThat(registry.log.stream().filter(l -> l.contains(" PATCH /v2/test/app/")).count())
                    .as("blobs uploaded once").isEqualTo(4);
        }
    }

    @Test
    void skopeoMountsBlobsFromAnotherRepositoryAndSignsInWithBasicAuth() throws Exception {
        assumeTrue(Tools.onPath("skopeo"), "skopeo is not installed (Debian package skopeo)");
        Path layout = dir.resolve("src");
        Descriptor manifest = TestImage.write(layout, "v1", 2, 100_000, 2);
        Path htpasswd = dir.resolve("htpasswd");
        Files.writeString(htpasswd, "alice:" + AuthenticationTest.bcrypt("alice-pw") + "\n");
        AccessPolicy policy = AccessPolicy.load(htpasswd, Optional.empty(), List.of());
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"), c -> c.withAccess(policy))) {
            String base = "docker://" + registry.hostPort();
            Run denied = run(dir, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":v1",
                    base + "/one/app:v1");
            assertThat(denied.status()).isNotZero();
            assertThat(denied.output()).containsIgnoringCase("authentication required");
            ok(dir, "skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "alice:alice-pw",
                    "oci:" + layout + ":v1", base + "/one/app:v1");
            ok(dir, "skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--src-creds",
                    "alice:alice-pw", "--dest-creds", "alice:alice-pw", base + "/one/app:v1", base + "/two/app:v1");
            assertThat(registry.log).as(String.join("\n", registry.log))
                    .anyMatch(l -> l.contains("POST /v2/two/app/blobs/uploads/?") && l.contains("mount=")
                            && l.contains(" 201 "));
            Run digest = ok(dir, "skopeo", "inspect", "--tls-verify=false", "--creds", "alice:alice-pw", "--format",
                    "{{.Digest}}", base + "/two/app:v1");
            assertThat(digest.output().strip()).isEqualTo(manifest.digest().toString());
            assertThat(String.join("\n", registry.log)).doesNotContain("alice-pw");
        }
    }

    @Test
    void podmanPullsWhatSkopeoPushedAndPushesWhatSkopeoPulls() throws Exception {
        assumeTrue(Tools.onPath("skopeo"), "skopeo is not installed (Debian package skopeo)");
        assumeTrue(Tools.onPath("podman"), "podman is not installed (Debian package podman)");
        Path layout = dir.resolve("src");
        Descriptor manifest = TestImage.write(layout, "v1", 2, 200_000, 3);
        Path storageRoot = dir.resolve("podman-root");
        Path runRoot = dir.resolve("podman-run");
        Files.createDirectories(storageRoot);
        Files.createDirectories(runRoot);
        String[] podman = {"podman", "--root", storageRoot.toString(), "--runroot", runRoot.toString(),
                "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "none"};
        Run probe = run(dir, concat(podman, "images"));
        assumeTrue(probe.status() == 0, "podman cannot run here: " + probe.output().strip());
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"))) {
            String host = registry.hostPort();
            ok(dir, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":v1",
                    "docker://" + host + "/test/app:v1");
            ok(dir, concat(podman, "pull", "--tls-verify=false", host + "/test/app:v1"));
            Run digest = ok(dir, concat(podman, "image", "inspect", "--format", "{{.Digest}}", host + "/test/app:v1"));
            assertThat(digest.output().strip()).isEqualTo(manifest.digest().toString());

            Path digestFile = dir.resolve("pushed-digest");
            ok(dir, concat(podman, "push", "--tls-verify=false", "--digestfile", digestFile.toString(),
                    host + "/test/app:v1", "docker://" + host + "/test/again:v2"));
            String pushed = Files.readString(digestFile).strip();
            Run raw = ok(dir, "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}",
                    "docker://" + host + "/test/again:v2");
            assertThat(raw.output().strip()).as("skopeo reads what podman pushed").isEqualTo(pushed);
            Path back = dir.resolve("back");
            ok(dir, "skopeo", "copy", "--src-tls-verify=false", "docker://" + host + "/test/again:v2",
                    "oci:" + back + ":v2");
        }
    }

    @Test
    void skopeoOverTlsFromPemFiles() throws Exception {
        assumeTrue(Tools.onPath("skopeo"), "skopeo is not installed (Debian package skopeo)");
        assumeTrue(Tools.onPath("openssl"), "openssl is not installed");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        ok(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1");
        Path layout = dir.resolve("src");
        Descriptor manifest = TestImage.write(layout, "v1", 1, 50_000, 4);
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"), c -> c.withTls(cert, key))) {
            assertThat(registry.server.url()).startsWith("https://");
            String ref = "docker://" + registry.hostPort() + "/secure/app:v1";
            Run plain = run(dir, "skopeo", "copy", "oci:" + layout + ":v1", ref);
            assertThat(plain.status()).as("an untrusted certificate is refused").isNotZero();
            ok(dir, "skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout + ":v1", ref);
            Run inspect = ok(dir, "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", ref);
            assertThat(inspect.output().strip()).isEqualTo(manifest.digest().toString());
            Path trusted = Files.createDirectories(dir.resolve("certs.d"));
            Files.copy(cert, trusted.resolve("ca.crt"));
            ok(dir, "skopeo", "inspect", "--cert-dir", trusted.toString(), "--format", "{{.Digest}}", ref);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
