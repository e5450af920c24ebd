package dev.cairn.bench;

import dev.cairn.journal.ChronicleJournal;
import dev.cairn.model.Actor;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.LayerId;
import dev.cairn.store.LayerSpec;
import dev.cairn.store.LayerStore;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one write as the store grows (issue 8): {@code setMetadata} (one event under the writers' lock) on a
 * store of {@code layers} layers, and {@code put} of a tiny layer (stage, apply, cleanup: four journal syncs, one
 * syncfs) on the same store. A write's cost must not grow with the store: compare the rows of 1,000 and 100,000
 * layers. Durable (the default options), on {@code dir} (tmpfs by default, so that the disk does not hide the
 * store's own cost).
 *
 * <p>The big store is built fast, by appending {@code LayerCreated}/{@code LayerCommitted} pairs straight to its
 * journal in batches (the layers have no folders: neither write reads them), then opened once per trial. Each
 * {@code put} makes a new layer (its tar carries a counter), so the store grows by a few thousand layers per trial at
 * most.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class StoreWriteBenchmark {

    /** How many layers the store holds before the trial. */
    @Param({"1000", "100000"})
    public int layers;

    /** Where the store is made: a tmpfs by default. */
    @Param({"/dev/shm"})
    public String dir;

    private Path root;
    private LayerStore store;
    private String target;
    private long counter;

    @Setup(Level.Trial)
    public void build() throws IOException {
        Path base = Path.of(dir).toAbsolutePath();
        Files.createDirectories(base);
        root = Files.createTempDirectory(base, "cairn-write-bench-").resolve("store");
        LayerStore.open(root).close();
        Digest diff = Digest.sha256(new byte[1024]);
        try (ChronicleJournal journal = ChronicleJournal.open(root.resolve("journal"))) {
            List<Event> batch = new ArrayList<>();
            for (int i = 0; i < layers; i++) {
                LayerId id = LayerId.random();
                batch.add(new Event.LayerCreated(id, null, List.of("layer-" + i), null, ""));
                batch.add(new Event.LayerCommitted(id, diff, 1024, null, null, null));
                if (batch.size() >= 2000 || i == layers - 1) {
                    journal.appendAll(batch, Actor.process());
                    batch.clear();
                }
            }
        }
        store = LayerStore.open(root);
        target = "layer-" + (layers / 2);
    }

    @TearDown(Level.Trial)
    public void remove() throws IOException {
        store.close();
        Trees.delete(root.getParent());
    }

    @Benchmark
    public Object setMetadata() throws IOException {
        return store.setMetadata(target, "m" + (counter++));
    }

    @Benchmark
    public Object putTinyLayer() throws IOException {
        return store.put(new ByteArrayInputStream(tinyTar(counter++)), LayerSpec.base());
    }

    /** A plain tar of one 16-byte file whose content carries {@code n}: a new layer each time. */
    static byte[] tinyTar(long n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            byte[] content = String.format("%016d", n).getBytes(StandardCharsets.US_ASCII);
            TarArchiveEntry e = new TarArchiveEntry("file");
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }
}
