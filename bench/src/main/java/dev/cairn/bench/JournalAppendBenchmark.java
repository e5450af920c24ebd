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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Durable appends per second to the journal, from 1, 4 and 16 threads: every {@link Journal#append} returns only when
 * its record is fsynced, so with more threads the score shows how well group commit shares one sync among them.
 *
 * <p>{@code target} selects the journal: {@code memory} is the {@link InMemoryJournal}, the in-run peer (encoding,
 * hashing and the append path without any file I/O); any other value is a directory under which a fresh
 * {@link ChronicleJournal} is created for each trial and removed after it. Override the list with
 * {@code -p target=memory,/dev/shm,/some/ext4/dir} (bench/run.sh does).
 *
 * <p>The JVM flags Chronicle needs are not repeated here: bench/run.sh reads them from {@code chronicle.jvm.args} in
 * the root pom and passes them to the fork with {@code -jvmArgsAppend}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class JournalAppendBenchmark {

    /** {@code memory}, or a directory to hold a Chronicle journal (tmpfs, ext4 ...). */
    @Param({"memory", "/dev/shm", "bench/target/fs"})
    public String target;

    private Journal journal;
    private Path dir;
    private final Actor actor = Actor.process().onBehalfOf("bench", "req-1");
    /** A small, typical event: roughly the size of a NamesSet or MetadataSet a registry would append. */
    private final Event event = new Event.MetadataSet(LayerId.random(), "{\"created_by\":\"bench\"}");

    @Setup(Level.Trial)
    public void open() throws IOException {
        if (target.equals("memory")) {
            journal = new InMemoryJournal();
            return;
        }
        Path base = Path.of(target).toAbsolutePath();
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "cairn-journal-bench-");
        journal = ChronicleJournal.open(dir.resolve("journal"));
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        journal.close();
        if (dir != null) {
            Trees.delete(dir);
        }
    }

    @Benchmark
    @Threads(1)
    public Object append1() throws IOException {
        return journal.append(event, actor);
    }

    @Benchmark
    @Threads(4)
    public Object append4() throws IOException {
        return journal.append(event, actor);
    }

    @Benchmark
    @Threads(16)
    public Object append16() throws IOException {
        return journal.append(event, actor);
    }
}
