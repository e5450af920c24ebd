package dev.cairn.bench;

import dev.cairn.archive.GzipInflaters;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The gzip inflaters alone, on the layer {@link ImportBenchmark} imports: ISA-L's igzip and the JDK's zlib through
 * {@link GzipInflaters} (switched by {@code cairn.gzip}, as the store's pump reads the layer: a 64 KiB
 * {@link BufferedInputStream} over the file, 1 MiB reads), beside {@code gzip -dc > /dev/null} in the same run. No
 * hashing, no extraction: what the codec costs. A plain {@code main}; each inflate takes a second or so.
 *
 * <p>Arguments: {@code --cache DIR} (where {@link LayerTarGenerator} keeps the layers; default
 * {@code /dev/shm/cairn-bench-cache}), {@code --mb M} (200), {@code --files F} (7000), {@code --rounds N} (7);
 * {@code --gzip FILE} inflates that file (a real layer, say) instead of the generated one.
 * Prints a Markdown table on stdout.
 */
public final class GzipInflateBenchmark {

    private GzipInflateBenchmark() {
    }

    private interface Op {
        double run() throws IOException;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path cache = Path.of(opt.getOrDefault("cache", "/dev/shm/cairn-bench-cache")).toAbsolutePath();
        long mb = Long.parseLong(opt.getOrDefault("mb", "200"));
        int files = Integer.parseInt(opt.getOrDefault("files", "7000"));
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "7"));
        Path gz;
        long tarBytes;
        if (opt.containsKey("gzip")) {
            gz = Path.of(opt.get("gzip"));
            tarBytes = inflatedSize(gz);
        } else {
            LayerTarGenerator.Layers layer = LayerTarGenerator.cached(cache, mb << 20, files);
            gz = layer.gzip();
            tarBytes = Files.size(layer.tar());
        }

        Map<String, Op> ops = new LinkedHashMap<>();
        ops.put("gzip -dc > /dev/null", () -> gunzip(gz));
        ops.put("JDK zlib (GZIPInputStream)", () -> inflate(gz, "jdk", tarBytes));
        ops.put("ISA-L igzip (IsalGzipInputStream)", () -> inflate(gz, "isal", tarBytes));
        for (String name : List.of("JDK zlib (GZIPInputStream)", "ISA-L igzip (IsalGzipInputStream)")) {
            ops.get(name).run(); // warm-up: the JIT, the page cache, the native library's load
        }
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        ops.keySet().forEach(k -> seconds.put(k, new ArrayList<>()));
        List<String> order = new ArrayList<>(ops.keySet());
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 1) {
                Collections.reverse(order);
            }
            for (String name : order) {
                double s = ops.get(name).run();
                seconds.get(name).add(s);
                System.err.printf(Locale.ROOT, "[gzip-bench] round %d/%d %-36s %.3f s%n", r + 1, rounds, name, s);
            }
        }

        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        System.out.printf(Locale.ROOT, "%n### gzip inflaters (%s: %s, %.0f MiB gzip → %.0f MiB; %d rounds, median; "
                + "load average after: %s)%n%n", LocalDate.now(), gz.getFileName(), Files.size(gz) / 1048576.0,
                tarBytes / 1048576.0, rounds, load);
        System.out.println("| inflater | median s | min s | max s | MiB/s (tar bytes) | vs gzip -dc | vs JDK zlib |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        double peer = Stats.median(seconds.get("gzip -dc > /dev/null"));
        double jdk = Stats.median(seconds.get("JDK zlib (GZIPInputStream)"));
        for (var e : seconds.entrySet()) {
            double m = Stats.median(e.getValue());
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.0f | %.2f× the time | %.2f× the time |%n",
                    e.getKey(), m, Stats.min(e.getValue()), Stats.max(e.getValue()), tarBytes / 1048576.0 / m,
                    m / peer, m / jdk);
        }
    }

    /** Inflates {@code gz} to its end with the inflater {@code choice} names; checks the length. */
    private static double inflate(Path gz, String choice, long expected) throws IOException {
        System.setProperty(GzipInflaters.PROPERTY, choice);
        byte[] buf = new byte[1 << 20];
        long t0 = System.nanoTime();
        long total = 0;
        try (InputStream in = GzipInflaters.open(new BufferedInputStream(Files.newInputStream(gz), 1 << 16))) {
            for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
                total += n;
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (total != expected) {
            throw new IOException(choice + " inflated " + total + " bytes, the tar has " + expected);
        }
        return s;
    }

    private static long inflatedSize(Path gz) throws IOException {
        System.setProperty(GzipInflaters.PROPERTY, "jdk");
        try (InputStream in = GzipInflaters.open(new BufferedInputStream(Files.newInputStream(gz), 1 << 16))) {
            return in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    private static double gunzip(Path gz) throws IOException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("gzip", "-dc", gz.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            if (p.waitFor() != 0) {
                throw new IOException("gzip -dc " + gz + " exited with " + p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
