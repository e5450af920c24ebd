package dev.cairn.registry;

import static dev.cairn.registry.TestRegistry.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a stop (SIGTERM in {@code cairn serve}) does to uploads in flight: one that finishes within the stop timeout
 * is kept; one cut by the timeout stays resumable after a restart at its durable offset; nothing is half-visible.
 */
class GracefulShutdownTest {

    @TempDir
    Path dir;

    /** A request body that sends {@code first}, then waits for {@code release} before sending {@code rest}. */
    static InputStream paused(byte[] first, byte[] rest, CountDownLatch sent, CountDownLatch release) {
        return new InputStream() {
            int pos;
            final byte[] all = concat(first, rest);

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos == first.length) {
                    sent.countDown();
                    try {
                        if (!release.await(30, TimeUnit.SECONDS)) {
                            throw new IOException("never released");
                        }
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                if (pos == all.length) {
                    return -1;
                }
                int end = pos < first.length ? first.length : all.length;
                int n = Math.min(len, end - pos);
                System.arraycopy(all, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new java.util.Random(n).nextBytes(b);
        return b;
    }

    String startUpload(TestRegistry r) throws Exception {
        return r.post("/v2/app/blobs/uploads/", new byte[0]).headers().firstValue("Location").orElseThrow();
    }

    CompletableFuture<HttpResponse<byte[]>> streamedPatch(TestRegistry r, String location, InputStream body) {
        return r.http.sendAsync(r.request(location).method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> body))
                .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * Waits until the server writes the upload's bytes (its data file grows): the client reading the first part from
     * its body stream says only that the bytes are on their way, and on a loaded machine the server may not have
     * taken the request yet, so a stop would find nothing in flight.
     */
    private static void awaitServerWriting(Path root) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(root.resolve("uploads"))) {
                if (files.filter(f -> f.getFileName().toString().equals("data"))
                        .mapToLong(f -> f.toFile().length()).sum() > 0) {
                    return;
                }
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
                // a file came or went while walking: look again
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the server wrote none of the upload within 10 s");
    }

    @Test
    void anUploadInFlightWhenTheStopBeginsMayFinish() throws Exception {
        byte[] first = random(1 << 20);
        byte[] rest = random(1 << 19);
        CountDownLatch sent = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestRegistry r = TestRegistry.start(dir.resolve("registry"), c -> c.withStopTimeout(Duration.ofSeconds(20)));
        String location = startUpload(r);
        CompletableFuture<HttpResponse<byte[]>> patch = streamedPatch(r, location, paused(first, rest, sent, release));
        assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
        awaitServerWriting(dir.resolve("registry"));
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            try {
                r.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(500);
        assertThat(stopping).as("the stop waits for the request in flight").isNotDone();
        release.countDown();
        HttpResponse<byte[]> done = patch.get(20, TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(202);
        assertThat(done.headers().firstValue("Range")).hasValue("0-" + (first.length + rest.length - 1));
        stopping.get(20, TimeUnit.SECONDS);

        try (TestRegistry again = TestRegistry.start(dir.resolve("registry"))) {
            byte[] blob = concat(first, rest);
            assertThat(again.put(location + "?digest=" + sha256(blob), new byte[0]).statusCode()).isEqualTo(201);
            assertThat(again.get("/v2/app/blobs/" + sha256(blob)).body()).isEqualTo(blob);
        }
    }

    @Test
    void anUploadCutByTheStopTimeoutResumesAfterTheRestart() throws Exception {
        byte[] kept = random(300_000);
        byte[] cut = random(1 << 20);
        TestRegistry r = TestRegistry.start(dir.resolve("registry"), c -> c.withStopTimeout(Duration.ofMillis(500)));
        String location = startUpload(r);
        assertThat(r.patch(location, kept, "Content-Range", "0-" + (kept.length - 1)).statusCode()).isEqualTo(202);
        CountDownLatch sent = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        CompletableFuture<HttpResponse<byte[]>> patch = streamedPatch(r, location, paused(cut, new byte[1], sent, never));
        assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
        r.close();
        assertThat(patch).failsWithin(Duration.ofSeconds(20));
        never.countDown();

        try (TestRegistry again = TestRegistry.start(dir.resolve("registry"))) {
            HttpResponse<byte[]> status = again.get(location);
            assertThat(status.statusCode()).isEqualTo(204);
            assertThat(status.headers().firstValue("Range")).as("only the chunk that completed")
                    .hasValue("0-" + (kept.length - 1));
            byte[] tail = random(1000);
            assertThat(again.patch(location, tail, "Content-Range", kept.length + "-" + (kept.length + 999))
                    .statusCode()).isEqualTo(202);
            byte[] blob = concat(kept, tail);
            assertThat(again.put(location + "?digest=" + sha256(blob), new byte[0]).statusCode()).isEqualTo(201);
            assertThat(again.get("/v2/app/blobs/" + sha256(blob)).body()).isEqualTo(blob);
        }
    }
}
