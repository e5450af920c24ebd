package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn serve}: its options, and the command as a process that serves until SIGTERM stops it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeCommandTest {

    @TempDir
    Path dir;

    private int cairn(ByteArrayOutputStream err, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("--root", dir.resolve("store").toString()));
        all.addAll(List.of(args));
        return Main.run(all.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void optionsThatGoTogetherAreCheckedBeforeAnythingListens() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(cairn(err, "serve", "--tls-cert", "c.pem")).isEqualTo(Main.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--tls-cert and --tls-key go together");
        err.reset();
        assertThat(cairn(err, "serve", "--anonymous-pull", "public/**")).isEqualTo(Main.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("need --auth");
        err.reset();
        assertThat(cairn(err, "serve", "--listen", "localhost")).isEqualTo(Main.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("HOST:PORT");
        err.reset();
        assertThat(cairn(err, "serve", "--auth", dir.resolve("missing").toString())).isEqualTo(Main.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing").doesNotContain("Exception");
    }

    @Test
    void servesTheStoreBesideACliImportUntilSigtermAndJournalsWhoPushed() throws Exception {
        Path root = dir.resolve("store");
        Process p = new ProcessBuilder(dev.cairn.store.ChildJvm.command(List.of(), List.of(), Main.class,
                "--root", root.toString(), "serve", "--listen", "127.0.0.1:0"))
                .redirectError(dir.resolve("stderr").toFile()).start();
        try {
            String url = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+");
            HttpClient http = HttpClient.newHttpClient();
            byte[] blob = "a layer".getBytes(StandardCharsets.UTF_8);
            String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
            HttpResponse<String> push = http.send(HttpRequest.newBuilder(URI.create(url
                    + "/v2/app/blobs/uploads/?digest=" + digest)).POST(HttpRequest.BodyPublishers.ofByteArray(blob))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(push.statusCode()).isEqualTo(201);
            // another process (this one) writes the same store while it serves
            dev.cairn.store.TestImage.oci(dir.resolve("layout"), "v1",
                    List.of(dev.cairn.store.TestImage.plainTar(3, 4)), true, "{}");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(cairn(err, "image", "import", "oci:" + dir.resolve("layout") + ":v1", "--name", "cli/app:v1"))
                    .as(err.toString(StandardCharsets.UTF_8)).isEqualTo(Main.OK);
            HttpResponse<byte[]> pull = http.send(HttpRequest.newBuilder(URI.create(url + "/v2/app/blobs/" + digest))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(pull.body()).isEqualTo(blob);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String stderr = Files.readString(dir.resolve("stderr"));
        assertThat(stderr).contains("cairn: serving " + root, "POST /v2/app/blobs/uploads/", "cairn: stopping");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Main.run(new String[] {"--root", root.toString(), "log", "--actor", "anonymous"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8))).isEqualTo(Main.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("UploadStarted app", "BlobLinked app",
                "principal=anonymous", "client=127.0.0.1").doesNotContain("ImageCreated");
        out.reset();
        assertThat(Main.run(new String[] {"--root", root.toString(), "images"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8))).isEqualTo(Main.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("cli/app:v1");
    }
}
