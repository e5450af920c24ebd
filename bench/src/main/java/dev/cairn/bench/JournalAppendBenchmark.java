package dev.cairn.bench;

import dev.cairn.journal.ChronicleJournal;
import dev.cairn.journal.InMemoryJournal;
import dev.cairn.journal.Journal;
import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import dev.cairn.model.LayerId;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Durable appends per second to a journal that already holds {@code records} records, from 1 and 8 threads: every
 * {@link Journal#append} returns only when its record is fsynced, so with more threads the score shows how well
 * group commit shares one sync among them, and the two lengths show whether an append costs more on a longer
 * journal (it must not).
 *
 * <p>{@code target} selects the journal: {@code memory} is the {@link InMemoryJournal}, the in-run peer (encoding,
 * hashing and the chain check without any file I/O); any other value is a directory on the file system to measure
 * (tmpfs, ext4 ...). There a journal of {@code records} records is written once per trial as a template; each
 * iteration starts from a fresh copy of it, written back to the disk and opened anew (the copy and the open, which
 * verifies every record, are outside the timing), so every iteration measures a journal that starts at
 * {@code records}. It grows during the iteration by
 * what the iteration appends; docs/BENCHMARKS.md says by how much. Override the lists with
 * {@code -p target=memory,/dev/shm,/tmp -p records=1000,100000} (bench/run.sh does).
 *
 * <p>The JVM flags Chronicle needs are not repeated here: bench/run.sh reads them from {@code chronicle.jvm.args} in
 * the root pom and passes them to the fork with {@code -jvmArgsAppend}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JournalAppendBenchmark {

    /** {@code memory}, or a directory to hold a Chronicle journal (tmpfs, ext4 ...). */
    @Param({"memory", "/dev/shm", "/tmp"})
    public String target;

    /** How many records the journal holds when each iteration starts. */
    @Param({"1000", "100000"})
    public int records;

    private final Actor actor = Actor.process().onBehalfOf("bench", "req-1");
    /** A small, typical event: roughly the size of a NamesSet or MetadataSet a registry would append. */
    private final Event event = new Event.MetadataSet(LayerId.random(), "{\"created_by\":\"bench\"}");

    private Path base;
    private Path template;
    private Path copy;
    private Journal journal;

    @Setup(Level.Trial)
    public void writeTemplate() throws IOException {
        if (target.equals("memory")) {
            return;
        }
        Path root = Path.of(target).toAbsolutePath();
        Files.createDirectories(root);
        base = Files.createTempDirectory(root, "cairn-journal-bench-");
        template = base.resolve("template");
        try (Journal writer = ChronicleJournal.open(template)) {
            fill(writer);
        }
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
        if (target.equals("memory")) {
            journal = new InMemoryJournal();
            fill(journal);
            return;
        }
        copy = base.resolve("journal");
        Files.createDirectory(copy);
        try (Stream<Path> files = Files.list(template)) {
            for (Path file : files.toList()) {
                Path to = copy.resolve(file.getFileName());
                Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES);
                // written back now, so that the iteration's first fsync does not pay for the copy
                try (FileChannel channel = FileChannel.open(to, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
            }
        }
        journal = ChronicleJournal.open(copy);
        if (journal.lastSeq() != records) {
            throw new IllegalStateException("the copied journal holds " + journal.lastSeq() + " records, not "
                    + records);
        }
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        journal.close();
        if (copy != null) {
            Trees.delete(copy);
        }
    }

    @TearDown(Level.Trial)
    public void removeTemplate() throws IOException {
        if (base != null) {
            Trees.delete(base);
        }
    }

    private void fill(Journal into) throws IOException {
        List<Event> batch = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            batch.add(event);
            if (batch.size() == 1000 || i == records - 1) {
                into.appendAll(batch, actor);
                batch.clear();
            }
        }
    }

    @Benchmark
    @Threads(1)
    public Object append1() throws IOException {
        return journal.append(event, actor);
    }

    @Benchmark
    @Threads(8)
    public Object append8() throws IOException {
        return journal.append(event, actor);
    }
}
