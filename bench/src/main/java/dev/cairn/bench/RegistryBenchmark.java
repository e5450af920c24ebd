package dev.cairn.bench;

import dev.cairn.oci.Descriptor;
import dev.cairn.oci.ImageManifest;
import dev.cairn.oci.MediaTypes;
import dev.cairn.oci.OciDigest;
import dev.cairn.oci.OciLayoutWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code skopeo copy} push and pull of a multi-layer image to {@code cairn serve} and to CNCF distribution (Debian's
 * {@code docker-registry}, filesystem storage) on loopback, whole processes, in the same run (a plain {@code main}).
 *
 * <p>The image: three gzip layers made by {@link LayerTarGenerator} (root-file-system-like trees of 200, 80 and 20 MiB,
 * kept in the cache folder) in an OCI layout. Each round, for each registry in turn (the order reversed every other
 * round): a fresh storage folder and a fresh port (so that skopeo's blob-info cache knows nothing of it), the server
 * started and waited for, warmed up with untimed pushes and pulls of two other images, each with as many files as the
 * timed one but a fifth of the bytes (the JIT compiles per-file code by how often it runs: one warm-up of a fifth of
 * the files left 3 s of C2 compilation inside the timed push, JFR showed), then timed:
 * {@code skopeo copy oci:… docker://…} (push) and {@code skopeo copy docker://… oci:…} into a fresh folder (pull);
 * then the server is stopped (SIGTERM) and {@code sync} run. The storage folders are removed only at the end of the
 * run: on ext4 without a journal (this machine's), creating a file walks past every inode of its block group freed
 * in the last minute or so ({@code recently_deleted} in the kernel), so removing one round's 9,000 files could slow
 * the next round's extraction by seconds (docs/BENCHMARKS.md). Reported: the median of each and the ratio of
 * cairn's to distribution's, and the CPU time the server used during each (its user and system time from
 * {@code /proc}), with the load average at the start and end of the run.
 *
 * <p>Arguments: {@code --dir DIR} (the file system under test), {@code --cache DIR}, {@code --cairn PATH} (the
 * {@code ./cairn} launcher), {@code --rounds N} (5; 0 writes the images and stops), {@code --scale F} (1.0: layer
 * sizes multiplied by F), {@code --warmups N} (2: warm-up images pushed and pulled before the timed ones).
 */
public final class RegistryBenchmark {

    /** USER_HZ: what /proc counts CPU time in; 100 on every Linux architecture Cairn runs on. */
    private static final int CLOCK_TICKS = 100;

    private RegistryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path dir = Files.createDirectories(Path.of(opt.getOrDefault("dir", "/tmp")).toAbsolutePath());
        Path cache = Path.of(opt.getOrDefault("cache", dir.resolve("cairn-bench-cache").toString())).toAbsolutePath();
        String cairn = opt.getOrDefault("cairn", "./cairn");
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "5"));
        double scale = Double.parseDouble(opt.getOrDefault("scale", "1.0"));

        Path layout = cache.resolve("registry-image-" + LayerTarGenerator.FORMAT + "-" + scale);
        long[] sizes = image(layout, cache, scale, scale);
        int warmups = Integer.parseInt(opt.getOrDefault("warmups", "2"));
        List<Path> warmupImages = new ArrayList<>();
        for (int i = 0; i < warmups; i++) {
            // as many files as the timed image (1 % more each, so that no two share a blob), a fifth of the bytes
            Path warmup = cache.resolve("registry-image-" + LayerTarGenerator.FORMAT + "-warmup-" + i + "-" + scale);
            image(warmup, cache, scale / 5, scale * (1 + i / 100.0));
            warmupImages.add(warmup);
        }
        if (rounds == 0) {
            log("images written: %s and warm-ups %s", layout, warmupImages);
            return;
        }
        Path work = Files.createTempDirectory(dir, "cairn-registry-bench-");
        Map<String, List<Double>> times = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        String loadBefore = loadAverage();
        List<String> peers = List.of("cairn serve", "docker-registry");
        for (int round = 0; round < rounds; round++) {
            List<String> order = new ArrayList<>(peers);
            if (round % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (String peer : order) {
                log("round %d: %s", round + 1, peer);
                Path data = Files.createDirectory(work.resolve("data-" + round + "-" + peer.charAt(0)));
                int port = freePort();
                Process server = peer.equals("cairn serve") ? startCairn(cairn, data, port) : startDistribution(data, port);
                try {
                    awaitReady(port, server);
                    // A registry is a long-running server: untimed pushes and pulls of other images first, so that
                    // neither is measured cold (the JVM's JIT, Go's first allocations).
                    for (int i = 0; i < warmupImages.size(); i++) {
                        String warm = "docker://127.0.0.1:" + port + "/bench/warmup" + i + ":v1";
                        Commands.check(List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
                                "oci:" + warmupImages.get(i) + ":v1", warm));
                        Path warmPulled = work.resolve("warm-" + round + "-" + peer.charAt(0) + "-" + i);
                        Commands.check(List.of("skopeo", "copy", "--quiet", "--src-tls-verify=false", warm,
                                "oci:" + warmPulled + ":v1"));
                        Commands.check(List.of("rm", "-rf", warmPulled.toString()));
                    }
                    String ref = "docker://127.0.0.1:" + port + "/bench/app:v1";
                    double cpu0 = cpuSeconds(server.pid());
                    times.computeIfAbsent(peer + " push", k -> new ArrayList<>()).add(timed(List.of("skopeo", "copy",
                            "--quiet", "--dest-tls-verify=false", "oci:" + layout + ":v1", ref)));
                    double cpu1 = cpuSeconds(server.pid());
                    cpu.computeIfAbsent(peer + " push", k -> new ArrayList<>()).add(cpu1 - cpu0);
                    Path pulled = work.resolve("pulled-" + round + "-" + peer.charAt(0));
                    times.computeIfAbsent(peer + " pull", k -> new ArrayList<>()).add(timed(List.of("skopeo", "copy",
                            "--quiet", "--src-tls-verify=false", ref, "oci:" + pulled + ":v1")));
                    cpu.computeIfAbsent(peer + " pull", k -> new ArrayList<>()).add(cpuSeconds(server.pid()) - cpu1);
                    Commands.check(List.of("rm", "-rf", pulled.toString()));
                } finally {
                    server.destroy();
                    if (!server.waitFor(60, TimeUnit.SECONDS)) {
                        server.destroyForcibly();
                    }
                }
                Commands.check(List.of("sync")); // its folder stays until the end of the run (see above)
            }
        }
        String loadAfter = loadAverage();
        Commands.check(List.of("rm", "-rf", work.toString()));

        double mib = sizes[0] / 1048576.0;
        System.out.printf(Locale.ROOT, "### Registry push and pull (skopeo copy, whole process) on %s%n%n",
                opt.getOrDefault("label", dir.toString()));
        System.out.printf(Locale.ROOT, "Image: 3 gzip layers, %.0f MiB compressed (%.0f MiB of tar); %d rounds, median;"
                + " date %s; load average %s at the start, %s at the end.%n%n", mib, sizes[1] / 1048576.0, rounds,
                LocalDate.now(), loadBefore, loadAfter);
        System.out.println("| operation | median s | min s | max s | MiB/s (compressed) | ratio vs distribution "
                + "| server CPU s (median) | CPU ratio |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (String op : List.of("push", "pull")) {
            double peer = Stats.median(times.get("docker-registry " + op));
            double peerCpu = Stats.median(cpu.get("docker-registry " + op));
            for (String p : List.of("docker-registry", "cairn serve")) {
                List<Double> t = times.get(p + " " + op);
                double median = Stats.median(t);
                double c = Stats.median(cpu.get(p + " " + op));
                boolean isPeer = p.equals("docker-registry");
                System.out.printf(Locale.ROOT, "| %s %s | %.2f | %.2f | %.2f | %.0f | %s | %.2f | %s |%n", p, op,
                        median, Stats.min(t), Stats.max(t), mib / median,
                        isPeer ? "1.00 (peer)" : String.format(Locale.ROOT, "%.2f", median / peer), c,
                        isPeer ? "1.00 (peer)" : String.format(Locale.ROOT, "%.2f", c / peerCpu));
            }
        }
        System.out.println();
    }

    /**
     * Writes the image's OCI layout once, its layers' bytes scaled by {@code scale} and their file counts by
     * {@code fileScale}; returns its compressed and uncompressed sizes.
     */
    private static long[] image(Path layout, Path cache, double scale, double fileScale) throws IOException {
        long[][] spec = {{200, 5000}, {80, 2000}, {20, 500}};
        long compressed = 0;
        long plain = 0;
        List<LayerTarGenerator.Layers> layers = new ArrayList<>();
        for (long[] s : spec) {
            LayerTarGenerator.Layers l = LayerTarGenerator.cached(cache, (long) (s[0] * scale) << 20,
                    (int) Math.max(10, s[1] * fileScale));
            layers.add(l);
            compressed += Files.size(l.gzip());
            plain += Files.size(l.tar());
        }
        if (Files.exists(layout.resolve("index.json"))) {
            return new long[] {compressed, plain};
        }
        log("writing the image layout %s", layout);
        Path temp = Files.createTempDirectory(cache, "layout-");
        Files.delete(temp);
        OciLayoutWriter w = OciLayoutWriter.open(temp);
        List<Descriptor> descriptors = new ArrayList<>();
        StringBuilder diffIds = new StringBuilder();
        for (LayerTarGenerator.Layers l : layers) {
            diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(sha256(l.tar())).append('"');
            Descriptor d = Descriptor.of("application/vnd.oci.image.layer.v1.tar+gzip", sha256(l.gzip()),
                    Files.size(l.gzip()));
            try (InputStream in = Files.newInputStream(l.gzip())) {
                descriptors.add(w.putBlob(d, in));
            }
        }
        byte[] config = ("{\"created\":\"2026-01-01T00:00:00Z\",\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        Descriptor c = w.putBlob(MediaTypes.OCI_CONFIG, config);
        w.tag(w.putManifest(ImageManifest.write(MediaTypes.OCI_MANIFEST, c, descriptors)), "v1");
        Files.move(temp, layout);
        return new long[] {compressed, plain};
    }

    private static OciDigest sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return new OciDigest(OciDigest.SHA256, HexFormat.of().formatHex(md.digest()));
    }

    private static Process startCairn(String cairn, Path data, int port) throws IOException {
        return new ProcessBuilder(cairn, "--root", data.toString(), "serve", "--listen", "127.0.0.1:" + port,
                "--quiet").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static Process startDistribution(Path data, int port) throws IOException {
        Path config = data.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + data.resolve("storage") + "\n  delete:\n"
                + "    enabled: true\nhttp:\n  addr: 127.0.0.1:" + port + "\n");
        return new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitReady(int port, Process server) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IOException("the server exited with " + server.exitValue() + " before it listened");
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/v2/").toURL()
                        .openConnection();
                c.setConnectTimeout(500);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("the server on port " + port + " did not answer within 120 s");
    }

    /**
     * The user and system CPU time a server process (all its threads) has used so far, from {@code /proc/PID/stat}
     * (the cairn launcher execs its JVM, so the process started is the server). It depends much less on the machine's
     * load than wall time does: on a shared machine, a push's wall time is mostly its share of the cores.
     */
    private static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS; // utime, stime: fields 14, 15
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    private static double timed(List<String> command) throws IOException {
        long t0 = System.nanoTime();
        Commands.check(command);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "registry-bench: " + format + "%n", args);
    }
}
