package dev.cairn.bench;

import dev.cairn.model.Layer;
import dev.cairn.model.LayerId;
import dev.cairn.store.LayerSpec;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StagedLayer;
import dev.cairn.store.StoreOptions;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * End-to-end import of one layer, beside GNU tar on the same file system in the same run (a plain {@code main}: each
 * operation takes seconds, too long for JMH's iterations to add anything).
 *
 * <p>Three parts, each printed as a Markdown table on stdout (progress goes to stderr):
 * <ol>
 * <li><b>Import.</b> {@code rounds} rounds, each timing, into fresh folders on the file system under test: {@code tar -xf}
 *     (the peer), {@link LayerStore#put} into a fresh store with the default, durable options, and the same with
 *     {@link StoreOptions#withUnsafeNoSync}; then the same three for the gzip version ({@code tar -xzf}), and the
 *     two gzip puts again with the JDK's zlib in place of ISA-L's igzip ({@code cairn.gzip=jdk}). Also
 *     {@code tar -xf} followed by {@code sync -f} as a durable peer. The order of the operations is reversed every
 *     other round, outputs are removed and {@code sync} is run between operations (outside the timing), because
 *     ext4 slows down by itself under repeated extract-and-delete. Reported: the median of each and its ratio to
 *     the tar peer of the same input.</li>
 * <li><b>Apply alone.</b> A small and the big layer are staged, then only {@link LayerStore#applyStaged} is timed:
 *     it renames a folder and appends two records, so its time should not depend on the layer's size.</li>
 * <li><b>Readers during an import.</b> {@link LayerStore#layers()} is called in a loop while another thread imports
 *     the big layer; its latencies are compared with those on the idle store. Readers never wait (DESIGN.md
 *     section 3), so the maximum should stay far below the import's duration.</li>
 * </ol>
 *
 * <p>Arguments: {@code --dir DIR} (the file system under test; scratch folders are made and removed under it),
 * {@code --cache DIR} (where the generated tars are kept; default DIR/cache), {@code --label NAME},
 * {@code --rounds N} (5), {@code --mb M} (200), {@code --files F} (7000). The generated tars stay in the cache for the next run.
 */
public final class ImportBenchmark {

    private final Path work;
    private final int rounds;
    private final LayerTarGenerator.Layers big;
    private final LayerTarGenerator.Layers small;
    private final String label;
    private int scratch;

    private ImportBenchmark(Path work, int rounds, LayerTarGenerator.Layers big, LayerTarGenerator.Layers small,
                            String label) {
        this.work = work;
        this.rounds = rounds;
        this.big = big;
        this.small = small;
        this.label = label;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        Path dir = Path.of(opt.getOrDefault("dir", "/dev/shm")).toAbsolutePath();
        Path cache = Path.of(opt.getOrDefault("cache", dir.resolve("cairn-bench-cache").toString())).toAbsolutePath();
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "5"));
        long mb = Long.parseLong(opt.getOrDefault("mb", "200"));
        int files = Integer.parseInt(opt.getOrDefault("files", "7000"));
        String label = opt.getOrDefault("label", dir.toString());

        log("generating (or reusing) the layers in %s", cache);
        LayerTarGenerator.Layers big = LayerTarGenerator.cached(cache, mb << 20, files);
        LayerTarGenerator.Layers small = LayerTarGenerator.cached(cache, 64 << 10, 10);
        Path work = Files.createTempDirectory(createDirectories(dir), "cairn-import-bench-");
        try {
            ImportBenchmark b = new ImportBenchmark(work, rounds, big, small, label);
            b.header();
            b.imports();
            b.applyAlone();
            b.readersDuringImport();
        } finally {
            Trees.delete(work);
            log("kept the generated layers in %s for the next run (delete the folder to regenerate)", cache);
        }
    }

    private void header() throws IOException {
        System.out.printf(Locale.ROOT, "%n### Import on %s (%s)%n%n", label, fsType(work));
        System.out.printf(Locale.ROOT, "Layer: %d files, %.0f MiB tar, %.0f MiB gzip; %d rounds, median; date %s.%n%n",
                big.files(), Files.size(big.tar()) / 1048576.0, Files.size(big.gzip()) / 1048576.0, rounds,
                LocalDate.now());
    }

    // --- 1. import ------------------------------------------------------------------------------------------------

    private void imports() throws IOException {
        Map<String, Op> ops = new LinkedHashMap<>();
        ops.put("tar -xf", into -> command("tar", "-xf", big.tar().toString(), "-C", into.toString()));
        ops.put("tar -xf && sync -f", into -> command("tar", "-xf", big.tar().toString(), "-C", into.toString())
                + command("sync", "-f", into.toString()));
        ops.put("cairn put (durable)", into -> put(into, big.tar(), false));
        ops.put("cairn put (unsafeNoSync)", into -> put(into, big.tar(), true));
        ops.put("tar -xzf", into -> command("tar", "-xzf", big.gzip().toString(), "-C", into.toString()));
        ops.put("cairn put gzip (durable)", into -> put(into, big.gzip(), false));
        ops.put("cairn put gzip (unsafeNoSync)", into -> put(into, big.gzip(), true));
        ops.put("cairn put gzip (durable, JDK zlib)", into -> withJdkInflater(into, i -> put(i, big.gzip(), false)));
        ops.put("cairn put gzip (unsafeNoSync, JDK zlib)",
                into -> withJdkInflater(into, i -> put(i, big.gzip(), true)));

        log("warm-up: one untimed put of the big layer");
        timeInFresh(into -> put(into, big.tar(), true));

        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        ops.keySet().forEach(k -> seconds.put(k, new ArrayList<>()));
        List<String> order = new ArrayList<>(ops.keySet());
        for (int r = 0; r < rounds; r++) {
            List<String> thisRound = new ArrayList<>(order);
            if (r % 2 == 1) {
                java.util.Collections.reverse(thisRound);
            }
            for (String name : thisRound) {
                double s = timeInFresh(ops.get(name));
                seconds.get(name).add(s);
                log("round %d/%d  %-30s %7.2f s", r + 1, rounds, name, s);
            }
        }

        double tar = Stats.median(seconds.get("tar -xf"));
        double tarz = Stats.median(seconds.get("tar -xzf"));
        System.out.println("| operation | median s | min s | max s | MiB/s (tar bytes) | ratio vs peer |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        double mib = Files.size(big.tar()) / 1048576.0;
        for (var e : seconds.entrySet()) {
            String name = e.getKey();
            double m = Stats.median(e.getValue());
            boolean gz = name.contains("gzip") || name.equals("tar -xzf");
            String peer = gz ? "tar -xzf" : "tar -xf";
            String ratio = name.equals(peer) ? "1.00 (peer)" : String.format(Locale.ROOT, "%.2f× %s", m / (gz ? tarz : tar),
                    peer);
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.0f | %s |%n", name, m, Stats.min(e.getValue()),
                    Stats.max(e.getValue()), mib / m, ratio);
        }
        System.out.println();
    }

    /** Opens a fresh store in {@code root} (untimed), times one put of {@code layer}, closes the store (untimed). */
    private static double put(Path root, Path layer, boolean unsafeNoSync) throws IOException {
        try (LayerStore store = LayerStore.open(root, StoreOptions.defaults().withUnsafeNoSync(unsafeNoSync));
             InputStream in = open(layer)) {
            long t0 = System.nanoTime();
            store.put(in, LayerSpec.base());
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /**
     * Runs {@code op} with gzip inflated by the JDK's zlib ({@code -Dcairn.gzip=jdk}, read per stream) instead of
     * ISA-L's igzip, the default where libisal is installed: the A/B of the inflater in one run.
     */
    private static double withJdkInflater(Path into, Op op) throws IOException {
        String before = System.getProperty("cairn.gzip");
        System.setProperty("cairn.gzip", "jdk");
        try {
            return op.run(into);
        } finally {
            if (before == null) {
                System.clearProperty("cairn.gzip");
            } else {
                System.setProperty("cairn.gzip", before);
            }
        }
    }

    /** Times one external command (process start included: about a millisecond). */
    private static double command(String... command) throws IOException {
        long t0 = System.nanoTime();
        Commands.check(List.of(command));
        return (System.nanoTime() - t0) / 1e9;
    }

    // --- 2. apply alone -------------------------------------------------------------------------------------------

    private void applyAlone() throws IOException {
        Path root = fresh();
        Map<String, List<Double>> stage = new LinkedHashMap<>();
        Map<String, List<Double>> apply = new LinkedHashMap<>();
        try (LayerStore store = LayerStore.open(root, StoreOptions.defaults())) {
            for (int r = 0; r < rounds + 1; r++) {
                for (var layer : List.of(small, big)) {
                    String name = layer == small ? "small (" + layer.files() + " files, "
                            + kib(Files.size(layer.tar())) + ")" : "big (" + layer.files() + " files, "
                            + kib(Files.size(layer.tar())) + ")";
                    long t0 = System.nanoTime();
                    StagedLayer staged;
                    try (InputStream in = open(layer.tar())) {
                        staged = store.stage(in);
                    }
                    long t1 = System.nanoTime();
                    Layer applied = store.applyStaged(staged.id(), LayerSpec.base().withId(LayerId.random())).layer();
                    long t2 = System.nanoTime();
                    store.cleanupStaged(staged.id());
                    store.delete(applied.id().hex());
                    if (r > 0) {
                        stage.computeIfAbsent(name, k -> new ArrayList<>()).add((t1 - t0) / 1e9);
                        apply.computeIfAbsent(name, k -> new ArrayList<>()).add((t2 - t1) / 1e6);
                    }
                }
            }
        } finally {
            Trees.delete(root);
        }
        System.out.println("| apply alone (durable) | stage median s | applyStaged median ms | applyStaged max ms |");
        System.out.println("|---|---:|---:|---:|");
        for (String name : apply.keySet()) {
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.2f | %.2f |%n", name, Stats.median(stage.get(name)),
                    Stats.median(apply.get(name)), Stats.max(apply.get(name)));
        }
        System.out.println();
    }

    // --- 3. readers during an import -----------------------------------------------------------------------------

    private void readersDuringImport() throws Exception {
        Path root = fresh();
        try (LayerStore store = LayerStore.open(root, StoreOptions.defaults())) {
            for (int i = 0; i < 3; i++) {
                try (InputStream in = open(small.tar())) {
                    store.put(in, LayerSpec.base().withId(LayerId.random()));
                }
            }
            List<Double> idle = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                idle.add(timeLayers(store));
            }
            idle = idle.subList(10_000, idle.size());

            List<Double> busy = new ArrayList<>();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            long[] importNanos = new long[1];
            Thread importer = new Thread(() -> {
                long t0 = System.nanoTime();
                try (InputStream in = open(big.tar())) {
                    store.put(in, LayerSpec.base());
                } catch (Throwable t) {
                    failed.set(t);
                } finally {
                    importNanos[0] = System.nanoTime() - t0;
                    done.set(true);
                }
            }, "bench-importer");
            importer.start();
            while (!done.get()) {
                busy.add(timeLayers(store));
                LockSupport.parkNanos(200_000);
            }
            importer.join();
            if (failed.get() != null) {
                throw new IOException("the import failed", failed.get());
            }
            System.out.println("| `layers()` latency | calls | median µs | p99 µs | max µs | ratio median vs idle |");
            System.out.println("|---|---:|---:|---:|---:|---:|");
            System.out.printf(Locale.ROOT, "| idle store (peer) | %d | %.1f | %.1f | %.1f | 1.00 |%n", idle.size(),
                    Stats.median(idle), Stats.percentile(idle, 99), Stats.max(idle));
            System.out.printf(Locale.ROOT, "| during a %.1f s put of the big layer | %d | %.1f | %.1f | %.1f | %.2f |%n",
                    importNanos[0] / 1e9, busy.size(), Stats.median(busy), Stats.percentile(busy, 99), Stats.max(busy),
                    Stats.median(busy) / Stats.median(idle));
            System.out.println();
        } finally {
            Trees.delete(root);
        }
    }

    private static double timeLayers(LayerStore store) {
        long t0 = System.nanoTime();
        try {
            List<Layer> layers = store.layers();
            if (layers.isEmpty()) {
                throw new IllegalStateException("no layers");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return (System.nanoTime() - t0) / 1e3;
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    /** One operation writing into a fresh, empty folder; returns the seconds its timed part took. */
    private interface Op {
        double run(Path into) throws IOException;
    }

    /** Syncs (untimed), runs {@code op} into a fresh folder, then removes the folder (untimed). */
    private double timeInFresh(Op op) throws IOException {
        Path into = fresh();
        Commands.check(List.of("sync"));
        double s = op.run(into);
        Trees.delete(into);
        return s;
    }

    private Path fresh() throws IOException {
        return Files.createDirectory(work.resolve("run-" + (++scratch)));
    }

    private static InputStream open(Path file) throws IOException {
        return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    private static Path createDirectories(Path dir) throws IOException {
        return Files.createDirectories(dir);
    }

    private static String kib(long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0)
                : String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
    }

    private static String fsType(Path p) {
        try {
            return Files.getFileStore(p).type();
        } catch (IOException e) {
            return "?";
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            out.put(key, args[++i]);
        }
        return out;
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[import-bench] " + format + "%n", args);
    }
}
