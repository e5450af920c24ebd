package dev.cairn.bench;

import dev.cairn.model.JournalRecord;
import dev.cairn.store.LayerStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * {@code LayerStore.seqAt(time)} on a long journal (issue 10): the bisection over seqs beside its peer in the same
 * run, the whole-journal scan it replaced (every record read, the largest seq stamped at or before the time kept),
 * on the store {@link SnapshotOpenBenchmark} builds (built here if absent). Random times between the first and the
 * last record's; both answers are compared (the journal's stamps never decrease, so they must agree). Medians.
 *
 * <pre>
 * java $CHRONICLE_FLAGS -Xmx4g -cp "bench/target/classes:bench/target/lib/*" dev.cairn.bench.SeqAtBenchmark \
 *      --dir /dev/shm/cairn-snapshot-bench --records 1000000 --layers 100000 --rounds 5
 * </pre>
 */
public final class SeqAtBenchmark {

    private SeqAtBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        SnapshotOpenBenchmark.StoreArgs given = SnapshotOpenBenchmark.StoreArgs.parse(args);
        int rounds = given.rounds();
        Path root = given.root();
        if (!Files.exists(root.resolve("journal"))) {
            SnapshotOpenBenchmark.build(root, given.records(), given.layers());
        }
        try (LayerStore store = LayerStore.openReadOnly(root, dev.cairn.store.StoreOptions.defaults())) {
            Instant first = store.history(1).findFirst().orElseThrow().time();
            Instant last = store.history(store.lastSeq()).findFirst().orElseThrow().time();
            Random random = new Random(7);
            List<Double> bisect = new ArrayList<>();
            List<Double> scan = new ArrayList<>();
            for (int r = 0; r < rounds + 1; r++) {   // round 0 warms the JIT
                Instant t = first.plusNanos((long) (random.nextDouble() * (last.toEpochMilli() - first.toEpochMilli())
                        * 1_000_000));
                long t0 = System.nanoTime();
                long a = store.seqAt(t);
                double bisectS = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                long b = scan(store, t);
                double scanS = (System.nanoTime() - t0) / 1e9;
                if (a != b) {
                    throw new AssertionError("at " + t + ": bisection " + a + ", scan " + b);
                }
                if (r > 0) {
                    bisect.add(bisectS);
                    scan.add(scanS);
                }
            }
            System.out.printf(Locale.ROOT, "journal: %,d records%n", store.lastSeq());
            System.out.printf(Locale.ROOT, "| seqAt(time), %d random times | median ms | min ms | max ms |%n"
                    + "|---|---:|---:|---:|%n", rounds);
            row("bisection over seqs", bisect);
            row("whole-journal scan (peer)", scan);
            System.out.printf(Locale.ROOT, "ratio scan / bisection: %.0fx%n", Stats.median(scan) / Stats.median(bisect));
        }
    }

    /** The replaced way: every record read, the largest seq stamped at or before {@code time} kept. */
    private static long scan(LayerStore store, Instant time) throws IOException {
        long seq = 0;
        try (Stream<JournalRecord> all = store.history(1)) {
            for (Iterator<JournalRecord> it = all.iterator(); it.hasNext(); ) {
                JournalRecord r = it.next();
                if (!r.time().isAfter(time)) {
                    seq = r.seq();
                }
            }
        }
        return seq;
    }

    private static void row(String name, List<Double> xs) {
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n", name, Stats.median(xs) * 1e3,
                Stats.min(xs) * 1e3, Stats.max(xs) * 1e3);
    }
}
