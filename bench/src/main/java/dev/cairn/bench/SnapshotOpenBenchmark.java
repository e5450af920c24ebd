package dev.cairn.bench;

import dev.cairn.journal.ChronicleJournal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.model.Actor;
import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.StagingId;
import dev.cairn.projection.IndexSnapshot;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.SnapshotDirectory;
import dev.cairn.store.LayerStore;
import dev.cairn.store.SnapshotPolicy;
import dev.cairn.store.StoreOptions;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Open of a store with a long journal, from an index snapshot beside open from seq 1 in the same run (issue 10):
 * the in-process {@code LayerStore.openReadOnly} plus one {@code layers()} call, each way; the fold rate of the
 * index (records/s, from records already in memory: the store's, and as many of the shape the store's write path
 * makes); the heap the index takes; and the whole {@code cairn layers} process each way ({@code --fold-only}: the
 * fold rates alone).
 *
 * <p>The store is built fast, by appending straight to its journal in batches: {@code layers} layers
 * ({@code LayerCreated} with a name, {@code LayerCommitted} with digests, every tenth a base layer and the rest each on the one made before), and
 * {@code MetadataSet} records on random layers up to {@code records} in all (the layers have no folders: nothing
 * measured reads them). Then a writable open and close writes the snapshot (its time and size are reported). Rounds
 * alternate the two ways and reverse their order every other round; medians.
 *
 * <pre>
 * java $CHRONICLE_FLAGS -Xmx4g -cp "bench/target/classes:bench/target/lib/*" dev.cairn.bench.SnapshotOpenBenchmark \
 *      --dir /dev/shm/cairn-snapshot-bench --records 1000000 --layers 100000 --rounds 5 --cairn ./cairn
 * </pre>
 */
public final class SnapshotOpenBenchmark {

    /**
     * The arguments of the benchmarks on the built store (this one and {@link SeqAtBenchmark}): {@code --dir},
     * {@code --records}, {@code --layers}, {@code --rounds}, {@code --cairn} (the launcher; null: no whole processes),
     * {@code --fold-only} (of the measures, only the fold rates).
     */
    record StoreArgs(Path dir, long records, int layers, int rounds, String cairn, boolean foldOnly) {
        static StoreArgs parse(String[] args) {
            Path dir = Path.of("/dev/shm/cairn-snapshot-bench");
            long records = 1_000_000;
            int layers = 100_000;
            int rounds = 5;
            String cairn = null;
            boolean foldOnly = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--dir" -> dir = Path.of(args[++i]);
                    case "--records" -> records = Long.parseLong(args[++i]);
                    case "--layers" -> layers = Integer.parseInt(args[++i]);
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--cairn" -> cairn = args[++i];
                    case "--fold-only" -> foldOnly = true;
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            return new StoreArgs(dir, records, layers, rounds, cairn, foldOnly);
        }

        /** The store's root: one per size, kept between runs. */
        Path root() {
            return dir.resolve("store-" + records + "-" + layers);
        }
    }

    public static void main(String[] args) throws Exception {
        StoreArgs a = StoreArgs.parse(args);
        long records = a.records();
        int layers = a.layers();
        int rounds = a.rounds();
        String cairn = a.cairn();
        Path root = a.root();
        if (!Files.exists(root.resolve("journal"))) {
            long t0 = System.nanoTime();
            build(root, records, layers);
            System.out.printf(Locale.ROOT, "built %,d records / %,d layers in %.1f s%n", records, layers,
                    (System.nanoTime() - t0) / 1e9);
        }
        if (a.foldOnly()) {
            foldRate(root);
            return;
        }
        StoreOptions withSnapshots = StoreOptions.defaults();
        StoreOptions fromSeq1 = StoreOptions.defaults().withSnapshots(SnapshotPolicy.NONE);

        SnapshotDirectory snapshots = new SnapshotDirectory(root.resolve("snapshots"));
        if (snapshots.files().isEmpty()) {
            long t0 = System.nanoTime();
            LayerStore.open(root, withSnapshots).close();
            System.out.printf(Locale.ROOT, "writable open + close (writes the snapshot): %.2f s%n",
                    (System.nanoTime() - t0) / 1e9);
        }
        Path snapshotFile = snapshots.files().get(0);
        System.out.printf(Locale.ROOT, "snapshot %s: %,d bytes%n", snapshotFile.getFileName(), Files.size(snapshotFile));

        // snapshot write (encode + read back + compare + fsync + rename), on the index as read
        IndexSnapshot read = IndexSnapshot.read(Files.readAllBytes(snapshotFile), snapshotFile.toString());
        List<Double> writeS = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            long t0 = System.nanoTime();
            IndexSnapshot again = IndexSnapshot.of(read.index(), read.hash());
            writeS.add((System.nanoTime() - t0) / 1e9);
            if (again.seq() != read.seq()) {
                throw new AssertionError();
            }
        }
        System.out.printf(Locale.ROOT, "snapshot encode + check (no I/O): median %.3f s%n", Stats.median(writeS));

        List<Double> fromSnapshot = new ArrayList<>();
        List<Double> fromStart = new ArrayList<>();
        for (int r = 0; r < rounds + 1; r++) {
            boolean snapshotFirst = r % 2 == 0;
            for (int k = 0; k < 2; k++) {
                boolean useSnapshot = snapshotFirst == (k == 0);
                double s = timeOpen(root, useSnapshot ? withSnapshots : fromSeq1, layers);
                if (r > 0) {   // round 0 warms the JIT
                    (useSnapshot ? fromSnapshot : fromStart).add(s);
                }
            }
        }
        System.out.printf(Locale.ROOT, "| open (read-only) + layers(), in-process | median s | min s | max s |%n"
                + "|---|---:|---:|---:|%n");
        row("from the snapshot", fromSnapshot);
        row("from seq 1", fromStart);
        System.out.printf(Locale.ROOT, "ratio from seq 1 / from snapshot: %.1fx%n",
                Stats.median(fromStart) / Stats.median(fromSnapshot));

        foldRate(root);
        heap(read);
        read = null;

        if (cairn != null) {
            wholeProcess(cairn, root, rounds);
        }
    }

    private static void row(String name, List<Double> xs) {
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n", name, Stats.median(xs), Stats.min(xs),
                Stats.max(xs));
    }

    private static double timeOpen(Path root, StoreOptions options, int layers) throws IOException {
        long t0 = System.nanoTime();
        try (LayerStore store = LayerStore.openReadOnly(root, options)) {
            int n = store.layers().size();
            double s = (System.nanoTime() - t0) / 1e9;
            if (n != layers) {
                throw new AssertionError(n + " layers, expected " + layers);
            }
            return s;
        }
    }

    /** Builds the store described above at {@code root} (also for {@link SeqAtBenchmark}). */
    static void build(Path root, long records, int layers) throws IOException {
        LayerStore.open(root, StoreOptions.defaults().withSnapshots(SnapshotPolicy.NONE)).close();
        Random random = new Random(42);
        LayerId[] ids = new LayerId[layers];
        long metadata = records - 2L * layers;
        if (metadata < 0) {
            throw new IllegalArgumentException("records must be at least 2 x layers");
        }
        try (ChronicleJournal journal = ChronicleJournal.open(root.resolve("journal"))) {
            List<Event> batch = new ArrayList<>();
            long written = 0;
            int made = 0;
            while (written < records) {
                boolean layer = made < layers && (metadata == 0 || random.nextLong(records - written) < 2L * (layers - made));
                if (layer || made == 0) {
                    LayerId id = LayerId.of(Digest.sha256(("layer " + made).getBytes()).hex());
                    LayerId parent = made > 0 && made % 10 != 0 ? ids[made - 1] : null;
                    ids[made] = id;
                    Digest diff = Digest.sha256(("diff " + made).getBytes());
                    batch.add(new Event.LayerCreated(id, parent, List.of("layer-" + made), null, ""));
                    batch.add(new Event.LayerCommitted(id, diff, 1000 + made, Digest.sha256(("gz " + made).getBytes()),
                            500L + made, Compression.GZIP));
                    made++;
                    written += 2;
                } else {
                    batch.add(new Event.MetadataSet(ids[random.nextInt(made)], "edit " + written));
                    written++;
                    metadata--;
                }
                if (batch.size() >= 4000) {
                    journal.appendAll(batch, dev.cairn.model.Actor.process());
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                journal.appendAll(batch, dev.cairn.model.Actor.process());
            }
        }
    }

    /**
     * Records/s of the fold alone, from records already in memory, folded from the empty index: the records of the
     * built store (read from its journal: most of them {@code MetadataSet}s on layers chosen at random, so that
     * nearly every record reaches for a different, cold part of a 100,000-layer index), and the same number of
     * records of the shape the store's own write path gives a journal ({@link #sagaShaped}).
     */
    private static void foldRate(Path root) throws IOException {
        List<JournalRecord> all = new ArrayList<>();
        try (ChronicleJournal journal = ChronicleJournal.openReadOnly(root.resolve("journal"));
             JournalCursor cursor = journal.read(1)) {
            for (JournalRecord r = cursor.next(); r != null; r = cursor.next()) {
                all.add(r);
            }
        }
        int layers = LayerIndex.empty().applyAll(all).entries().size();
        foldRate("the store's records (metadata on random layers)", all);
        all = sagaShaped(all.size(), layers);
        foldRate("saga-shaped records", all);
    }

    private static void foldRate(String what, List<JournalRecord> all) {
        List<Double> rates = new ArrayList<>();
        List<Double> cpuRates = new ArrayList<>();
        var threads = ManagementFactory.getThreadMXBean();
        for (int r = 0; r < 6; r++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            LayerIndex index = LayerIndex.empty().applyAll(all);
            double s = (System.nanoTime() - t0) / 1e9;
            double cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            if (index.seq() != all.size()) {
                throw new AssertionError();
            }
            if (r > 0) {
                rates.add(all.size() / s);
                cpuRates.add(all.size() / cpu);
            }
        }
        System.out.printf(Locale.ROOT, "fold of %,d %s in memory: median %,.0f records/s wall (min %,.0f, max "
                + "%,.0f); %,.0f records per CPU second%n", all.size(), what, Stats.median(rates), Stats.min(rates),
                Stats.max(rates), Stats.median(cpuRates));
    }

    /**
     * {@code records} records (at most; whole layers) on {@code layers} layers in the shape the store writes them:
     * each layer a staging saga and a layer saga ({@code StagingStarted}, {@code DiffStaged}, {@code LayerCreated}
     * on that staging with a saga owner, {@code LayerCommitted}, {@code StagingCleaned}), in images of five layers
     * each on the one before; the rest of each layer's share of records name and metadata changes, each on one of
     * the 50 layers made last (a journal's records are about what was just pushed, not spread evenly over its whole
     * past). Not written to a journal: the fold reads only the events, their seqs and times.
     */
    static List<JournalRecord> sagaShaped(long records, int layers) {
        Random random = new Random(42);
        Actor actor = Actor.process();
        Digest link = Digest.sha256(new byte[0]);
        Instant time = Instant.parse("2026-12-01T00:00:00Z");
        long perLayer = Math.max(5, records / layers);
        LayerId[] ids = new LayerId[layers];
        List<JournalRecord> out = new ArrayList<>();
        for (int i = 0; i < layers && out.size() + perLayer <= records; i++) {
            ids[i] = LayerId.of(Digest.sha256(("layer " + i).getBytes()).hex());
            StagingId staging = StagingId.random();
            Digest diff = Digest.sha256(("diff " + i).getBytes());
            Digest gz = Digest.sha256(("gz " + i).getBytes());
            List<Event> events = new ArrayList<>(List.of(
                    new Event.StagingStarted(staging, actor.pid(), actor.host(), false),
                    new Event.DiffStaged(staging, diff, 1000 + i, gz, 500 + i, Compression.GZIP),
                    new Event.LayerCreated(ids[i], i % 5 == 0 ? null : ids[i - 1], List.of(), staging, "",
                            SagaOwner.fresh(actor)),
                    new Event.LayerCommitted(ids[i], diff, 1000 + i, gz, 500L + i, Compression.GZIP),
                    new Event.StagingCleaned(staging)));
            for (long k = 5; k < perLayer; k++) {
                LayerId recent = ids[i - random.nextInt(Math.min(i + 1, 50))];
                events.add(k % 2 == 0 ? new Event.NamesSet(recent, List.of("example/app:" + i + "-" + k))
                        : new Event.MetadataSet(recent, "edit " + i + "-" + k));
            }
            for (Event e : events) {
                out.add(new JournalRecord(out.size() + 1, time, actor, e, link, link));
            }
        }
        return out;
    }

    /** The heap the index holds: used heap after full GCs with and without a reference to it. */
    private static void heap(IndexSnapshot snapshot) throws IOException {
        byte[] bytes = snapshot.bytes();
        snapshot = null;
        long before = usedAfterGc();
        LayerIndex index = IndexSnapshot.read(bytes, "snapshot").index();
        bytes = null;
        index.nameHolder("layer-0");   // derives the lookups (names, children, digests): the whole index is measured
        long after = usedAfterGc();
        System.out.printf(Locale.ROOT, "index heap at %,d layers: %.1f MB (used heap after full GCs, with it - "
                + "without it)%n", index.entries().size(), (after - before) / 1e6);
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The whole {@code cairn layers} process each way: the snapshots folder moved aside for "from seq 1". */
    private static void wholeProcess(String cairn, Path root, int rounds) throws Exception {
        Path snapshots = root.resolve("snapshots");
        Path aside = root.resolve("snapshots.aside");
        List<Double> fromSnapshot = new ArrayList<>();
        List<Double> fromStart = new ArrayList<>();
        run(cairn, root);   // warm-up: the launcher's checks, the page cache
        for (int r = 0; r < rounds; r++) {
            boolean snapshotFirst = r % 2 == 0;
            for (int k = 0; k < 2; k++) {
                boolean useSnapshot = snapshotFirst == (k == 0);
                if (!useSnapshot) {
                    Files.move(snapshots, aside);
                    Files.createDirectory(snapshots);
                }
                try {
                    (useSnapshot ? fromSnapshot : fromStart).add(run(cairn, root));
                } finally {
                    if (!useSnapshot) {
                        Files.delete(snapshots);
                        Files.move(aside, snapshots);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "| whole `cairn layers` process (output to /dev/null) | median s | min s | max s |%n"
                + "|---|---:|---:|---:|%n");
        row("from the snapshot", fromSnapshot);
        row("from seq 1", fromStart);
        System.out.printf(Locale.ROOT, "ratio from seq 1 / from snapshot: %.1fx%n",
                Stats.median(fromStart) / Stats.median(fromSnapshot));
    }

    private static double run(String cairn, Path root) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cairn, "--root", root.toString(), "layers")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        Process p = pb.start();
        int status = p.waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        if (status != 0) {
            throw new IOException(cairn + " layers exited " + status);
        }
        return s;
    }
}
