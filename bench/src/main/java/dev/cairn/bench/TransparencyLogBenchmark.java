package dev.cairn.bench;

import dev.cairn.journal.ChronicleJournal;
import dev.cairn.journal.InMemoryJournal;
import dev.cairn.journal.Journal;
import dev.cairn.journal.tlog.ConsistencyProof;
import dev.cairn.journal.tlog.InclusionProof;
import dev.cairn.journal.tlog.MerkleTree;
import dev.cairn.journal.tlog.TransparencyLog;
import dev.cairn.model.Actor;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
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
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the journal's Merkle tree costs (docs/PROOFS.md "Cost"), in microseconds per operation, one thread:
 *
 * <ul>
 *   <li>{@link Appends}: a durable journal append alone, and followed by the tree's hook
 *   ({@link TransparencyLog#recordsDurable}). The bench reads the record's bytes back to hand them to the hook
 *   ({@code readEncoded}); the integrated committer has them in hand, so {@code appendWithTree} is an upper bound.
 *   {@code hookAlone} is the hook by itself: the tree's locks, the leaf hash, the node hashes the leaf completes, one
 *   write of the tree file.
 *   <li>{@link Proofs}: a root, an inclusion proof and a consistency proof at a random size of a tree of
 *   {@code leaves} leaves kept in a tree file, the three sizes showing the O(log n) growth.
 * </ul>
 *
 * {@code target} is {@code memory} ({@link InMemoryJournal}, no file I/O) or a directory for a {@link ChronicleJournal}
 * and the tree file (tmpfs, ext4). Run: {@code java <chronicle flags> -cp bench/target/classes:bench/target/lib/*
 * org.openjdk.jmh.Main TransparencyLogBenchmark -jvmArgsAppend "<chronicle flags>"}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class TransparencyLogBenchmark {

    /** A fresh journal and its tree per trial. */
    @State(Scope.Benchmark)
    public static class Appends {
        /** {@code memory}, or a directory to hold a Chronicle journal and its tree file. */
        @Param({"memory", "/dev/shm"})
        public String target;

        Journal journal;
        TransparencyLog log;
        Path dir;
        final Actor actor = Actor.process().onBehalfOf("bench", "req-1");
        /** A small, typical event, as in {@link JournalAppendBenchmark}. */
        final Event event = new Event.MetadataSet(LayerId.random(), "{\"created_by\":\"bench\"}");

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory(Path.of(target.equals("memory") ? "/dev/shm" : target).toAbsolutePath(),
                    "cairn-tlog-bench-");
            journal = target.equals("memory") ? new InMemoryJournal() : ChronicleJournal.open(dir.resolve("journal"));
            Path treeDir = target.equals("memory") ? dir : dir.resolve("journal");
            log = TransparencyLog.open(treeDir, (dev.cairn.journal.EncodedRecords) journal);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            log.close();
            journal.close();
            Trees.delete(dir);
        }

        List<byte[]> bytesOf(long seq) throws IOException {
            List<byte[]> out = new ArrayList<>(1);
            ((dev.cairn.journal.EncodedRecords) journal).readEncoded(seq, seq, (s, b) -> out.add(b));
            return out;
        }
    }

    @Benchmark
    public Object appendAlone(Appends s) throws IOException {
        return s.journal.append(s.event, s.actor);
    }

    @Benchmark
    public Object appendWithTree(Appends s) throws IOException {
        JournalRecord r = s.journal.append(s.event, s.actor);
        s.log.recordsDurable(r.seq(), s.bytesOf(r.seq()));
        return r;
    }

    /**
     * The hook alone, on records of a typical record's size (300 bytes) that are handed to it right behind the tree,
     * as the committer hands them: it never reads the journal then, so the records need not be in it.
     */
    @State(Scope.Benchmark)
    public static class Hook {
        /** A directory for the tree file. */
        @Param({"/dev/shm"})
        public String target;

        Path dir;
        InMemoryJournal journal;
        TransparencyLog log;
        final byte[] record = new byte[300];
        long next = 1;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory(Path.of(target).toAbsolutePath(), "cairn-tlog-hook-");
            journal = new InMemoryJournal();
            log = TransparencyLog.open(dir, journal);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            log.close();
            journal.close();
            Trees.delete(dir);
        }
    }

    @Benchmark
    public long hookAlone(Hook s) {
        s.record[(int) (s.next % s.record.length)]++;
        s.log.recordsDurable(s.next, List.of(s.record));
        return s.next++;
    }

    /** A tree of {@code leaves} leaves in a tree file, built once per trial. */
    @State(Scope.Benchmark)
    public static class Proofs {
        @Param({"1024", "32768", "1048576"})
        public int leaves;

        /** A directory for the tree file. */
        @Param({"/dev/shm"})
        public String target;

        Path dir;
        MerkleTree tree;
        final SplittableRandom random = new SplittableRandom(42);

        @Setup(Level.Trial)
        public void build() throws IOException {
            dir = Files.createTempDirectory(Path.of(target).toAbsolutePath(), "cairn-tlog-proofs-");
            tree = MerkleTree.open(dir.resolve("merkle"));
            byte[] leaf = new byte[300];
            for (int i = 0; i < leaves; i++) {
                leaf[i % leaf.length]++;
                tree.appendLeaf(leaf);
            }
            tree.flush();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            tree.close();
            Trees.delete(dir);
        }
    }

    @Benchmark
    public Digest rootAtARandomSize(Proofs s) throws IOException {
        return s.tree.rootHash(1 + s.random.nextInt(s.leaves));
    }

    @Benchmark
    public InclusionProof inclusionProof(Proofs s) throws IOException {
        return s.tree.inclusionProof(s.random.nextInt(s.leaves), s.leaves);
    }

    @Benchmark
    public ConsistencyProof consistencyProof(Proofs s) throws IOException {
        return s.tree.consistencyProof(1 + s.random.nextInt(s.leaves), s.leaves);
    }
}
