package dev.cairn.bench;

import dev.cairn.oci.Descriptor;
import dev.cairn.oci.ImageManifest;
import dev.cairn.oci.LayerMediaType;
import dev.cairn.oci.MediaTypes;
import dev.cairn.oci.OciDigest;
import dev.cairn.oci.OciLayoutWriter;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
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
import java.util.zip.GZIPOutputStream;

/**
 * A multi-layer image imported by whole processes, beside skopeo committing the same image into containers-storage
 * (the vfs driver) in the same run — the measurement issue 12 asks for (a plain {@code main}: each operation takes
 * seconds).
 *
 * <p>The image: {@code --layers} gzip layers of a generated root file system ({@link LayerTarGenerator}), {@code --mb}
 * MiB of tar in all, written once as an OCI image layout into the cache. Each of {@code --rounds} rounds times, each
 * into fresh folders under {@code --dir}, with {@code sync} between operations (untimed) and the order reversed every
 * other round:
 * <ul>
 *   <li>{@code skopeo copy oci:… containers-storage:[vfs@ROOT+RUNROOT]bench:v1} — the peer;</li>
 *   <li>{@code cairn image import oci:… --name bench:v1} — one process, every layer staged at once, durable;</li>
 *   <li>the same with {@code CAIRN_GZIP=jdk}: the JDK's zlib inflating in place of ISA-L's igzip (the A/B of the
 *       inflater; the two are the same where libisal is not installed);</li>
 *   <li>{@code cairn import} once per layer, each on the one before ({@code --parent}) — how the image had to be
 *       imported before issue 12: N processes, one layer after another, no image record, no blobs kept.</li>
 * </ul>
 * Reported: the median of each, and its ratio to skopeo's. cairn is run as the user runs it, through the launcher
 * ({@code --cairn PATH}, default {@code ./cairn}), JVM start-up included.
 *
 * <p>Arguments: {@code --dir DIR}, {@code --cache DIR} (default DIR/cache), {@code --mb M} (300), {@code --layers N}
 * (4), {@code --files F} (files per layer, 3000), {@code --rounds R} (5), {@code --cairn PATH}, {@code --label NAME}.
 */
public final class ImageImportBenchmark {

    private ImageImportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        Path dir = Path.of(opt.getOrDefault("dir", "/dev/shm/cairn-image-bench")).toAbsolutePath();
        Path cache = Path.of(opt.getOrDefault("cache", dir.resolve("cache").toString())).toAbsolutePath();
        long mb = Long.parseLong(opt.getOrDefault("mb", "300"));
        int layers = Integer.parseInt(opt.getOrDefault("layers", "4"));
        int files = Integer.parseInt(opt.getOrDefault("files", "3000"));
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "5"));
        String cairn = Path.of(opt.getOrDefault("cairn", "cairn")).toAbsolutePath().toString();
        String label = opt.getOrDefault("label", dir.toString());

        Image image = image(cache, mb, layers, files);
        Path work = Files.createTempDirectory(Files.createDirectories(dir), "run-");
        try {
            Map<String, Op> ops = new LinkedHashMap<>();
            ops.put("skopeo copy → containers-storage (vfs)", into -> command("skopeo", "--insecure-policy", "copy",
                    "-q", "oci:" + image.layout() + ":v1",
                    "containers-storage:[vfs@" + into.resolve("root") + "+" + into.resolve("run") + "]bench:v1"));
            ops.put("cairn image import (durable)", into -> command(cairn, "--root", into.resolve("store").toString(),
                    "image", "import", "oci:" + image.layout() + ":v1", "--name", "bench:v1"));
            // The A/B of the gzip inflater: the JDK's zlib in place of ISA-L's igzip (docs/STORE.md).
            ops.put("cairn image import (durable, CAIRN_GZIP=jdk)", into -> command("env", "CAIRN_GZIP=jdk", cairn,
                    "--root", into.resolve("store").toString(), "image", "import", "oci:" + image.layout() + ":v1",
                    "--name", "bench:v1"));
            ops.put("cairn import per layer, " + layers + " processes", into -> layerByLayer(cairn, into, image));

            log("warm-up: one untimed run of each");
            for (Op op : ops.values()) {
                timeInFresh(work, op);
            }
            Map<String, List<Double>> seconds = new LinkedHashMap<>();
            ops.keySet().forEach(k -> seconds.put(k, new ArrayList<>()));
            List<String> order = new ArrayList<>(ops.keySet());
            for (int r = 0; r < rounds; r++) {
                List<String> thisRound = new ArrayList<>(order);
                if (r % 2 == 1) {
                    java.util.Collections.reverse(thisRound);
                }
                for (String name : thisRound) {
                    double s = timeInFresh(work, ops.get(name));
                    seconds.get(name).add(s);
                    log("round %d/%d  %-45s %7.2f s", r + 1, rounds, name, s);
                }
            }
            print(label, work, image, rounds, seconds);
        } finally {
            Trees.delete(work);
        }
    }

    /** The image in the cache: its layout and what it holds. */
    record Image(Path layout, long tarBytes, long blobBytes, int layers, int files) {
    }

    /** Generates the layers (cached) and writes the layout once. */
    private static Image image(Path cache, long mb, int layers, int files) throws IOException {
        Path layout = cache.resolve("image-" + LayerTarGenerator.FORMAT + "-" + mb + "m-" + layers + "l-" + files
                + "f");
        Path done = layout.resolve(".complete");
        long tarBytes = 0;
        long blobBytes = 0;
        if (Files.exists(done)) {
            String[] sizes = Files.readString(done).trim().split(" ");
            return new Image(layout, Long.parseLong(sizes[0]), Long.parseLong(sizes[1]), layers, files);
        }
        log("generating the image (%d layers, %d MiB of tar) in %s", layers, mb, layout);
        Trees.delete(layout);
        OciLayoutWriter out = OciLayoutWriter.open(layout);
        List<Descriptor> blobs = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            Path tar = cache.resolve("image-layer-" + i + ".tar");
            Path gz = cache.resolve("image-layer-" + i + ".tar.gz");
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tar), 1 << 16)) {
                LayerTarGenerator.write(o, (mb << 20) / layers + i * 4096L, files + i);
            }
            diffIds.add("sha256:" + sha256(tar));
            try (OutputStream o = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(gz), 1 << 16),
                    1 << 16)) {
                Files.copy(tar, o);
            }
            tarBytes += Files.size(tar);
            blobBytes += Files.size(gz);
            Descriptor d = Descriptor.of(LayerMediaType.OCI_TAR_GZIP.mediaType(),
                    OciDigest.parse("sha256:" + sha256(gz)), Files.size(gz));
            try (InputStream in = Files.newInputStream(gz)) {
                blobs.add(out.putBlob(d, in));
            }
            Files.delete(tar);
            Files.delete(gz);
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"" + String.join("\",\"", diffIds) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        Descriptor c = out.putBlob(MediaTypes.OCI_CONFIG, config);
        out.tag(out.putManifest(ImageManifest.write(MediaTypes.OCI_MANIFEST, c, blobs)), "v1");
        Files.writeString(done, tarBytes + " " + blobBytes);
        return new Image(layout, tarBytes, blobBytes, layers, files);
    }

    /** The layers one {@code cairn import} each, every one on the one before, as the issue's baseline did it. */
    private static double layerByLayer(String cairn, Path into, Image image) throws IOException {
        ImageManifest manifest = manifestOf(image.layout());
        long t0 = System.nanoTime();
        String parent = null;
        for (Descriptor layer : manifest.layers()) {
            List<String> cmd = new ArrayList<>(List.of(cairn, "--root", into.resolve("store").toString(), "import",
                    image.layout().resolve("blobs/sha256/" + layer.digest().encoded()).toString()));
            if (parent != null) {
                cmd.addAll(List.of("--parent", parent));
            }
            parent = output(cmd);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static ImageManifest manifestOf(Path layout) throws IOException {
        var index = new com.fasterxml.jackson.databind.ObjectMapper().readTree(layout.resolve("index.json").toFile());
        String digest = index.get("manifests").get(0).get("digest").asText();
        byte[] bytes = Files.readAllBytes(layout.resolve("blobs/sha256/" + digest.substring(7)));
        return ImageManifest.parse(bytes, MediaTypes.OCI_MANIFEST);
    }

    @FunctionalInterface
    private interface Op {
        double run(Path into) throws IOException;
    }

    /** Runs {@code op} into a fresh folder (made and removed untimed, with a sync after each). */
    private static double timeInFresh(Path work, Op op) throws IOException {
        Path into = Files.createTempDirectory(work, "op-");
        try {
            Commands.check(List.of("sync"));
            return op.run(into);
        } finally {
            Trees.delete(into);
            Commands.check(List.of("sync"));
        }
    }

    /** Times one external command, process start included. */
    private static double command(String... command) throws IOException {
        long t0 = System.nanoTime();
        Commands.check(List.of(command));
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Runs a command and returns its one line of output (a layer id). */
    private static String output(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = r.readLine();
        }
        try {
            if (p.waitFor() != 0 || line == null) {
                throw new IOException(String.join(" ", cmd) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
        return line.trim();
    }

    private static void print(String label, Path work, Image image, int rounds, Map<String, List<Double>> seconds)
            throws IOException {
        System.out.printf(Locale.ROOT, "%n### Image import on %s (%s)%n%n", label, fsType(work));
        System.out.printf(Locale.ROOT, "Image: %d gzip layers, %d files each, %.0f MiB of tar, %.0f MiB of blobs; "
                        + "%d rounds, median; %d cores; date %s.%n%n", image.layers(), image.files(),
                image.tarBytes() / 1048576.0, image.blobBytes() / 1048576.0, rounds,
                Runtime.getRuntime().availableProcessors(), LocalDate.now());
        String peer = seconds.keySet().iterator().next();
        double peerMedian = Stats.median(seconds.get(peer));
        System.out.println("| operation (whole processes) | median s | min s | max s | speed vs skopeo (its time ÷ this) |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (var e : seconds.entrySet()) {
            double m = Stats.median(e.getValue());
            String ratio = e.getKey().equals(peer) ? "1.00 (peer)"
                    : String.format(Locale.ROOT, "%.2f×", peerMedian / m);
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %s |%n", e.getKey(), m,
                    Stats.min(e.getValue()), Stats.max(e.getValue()), ratio);
        }
        System.out.println();
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), newSha256())) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fsType(Path p) throws IOException {
        return Files.getFileStore(p).type();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, format + "%n", args);
    }
}
