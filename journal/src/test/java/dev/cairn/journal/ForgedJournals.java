package dev.cairn.journal;

import dev.cairn.model.Digest;
import dev.cairn.model.JournalRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Journals whose history someone with write access to the files rewrote so well that the journal itself cannot
 * tell: records edited, removed or reordered and then renumbered, re-chained and re-checksummed, with a head
 * checkpoint to match. Only an earlier checkpoint of the Merkle tree can tell. Also real damage, for repair. For
 * tests only; the journal must be closed while its files are changed.
 */
public final class ForgedJournals {

    private ForgedJournals() {
    }

    /** The records of the closed journal in {@code dir}, in order. */
    public static List<JournalRecord> records(Path dir) throws IOException {
        List<JournalRecord> out = new ArrayList<>();
        try (ChronicleJournal journal = ChronicleJournal.openReadOnly(dir); JournalCursor cursor = journal.read(1)) {
            JournalRecord r;
            while ((r = cursor.next()) != null) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Replaces the records of the closed journal in {@code dir} with {@code records}' events, actors and times,
     * numbered from 1 and chained afresh, so that the journal verifies; every other file in the directory stays.
     */
    public static void rewrite(Path dir, List<JournalRecord> records) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".cq4") || name.equals("metadata.cq4t") || name.equals(HeadCheckpoint.FILE)) {
                    Files.delete(f);
                }
            }
        }
        Digest prev = RecordCodec.ZERO_HASH;
        long seq = 0;
        try (SingleChronicleQueue queue = QueueFiles.build(dir, null, false);
             ExcerptAppender appender = queue.createAppender()) {
            for (JournalRecord r : records) {
                byte[] bytes = RecordCodec.encode(++seq, r.time(), r.actor(), r.event(), prev);
                appender.writeBytes(Bytes.wrapForRead(bytes));
                prev = RecordCodec.hash(bytes);
            }
        }
        BackgroundResourceReleaser.releasePendingResources();
        new HeadCheckpoint(seq, prev).writeDurably(dir);
    }

    /** Flips one bit of the first stored occurrence of {@code needle} in the closed journal's cycle files. */
    public static void flipBit(Path dir, String needle) throws IOException {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList()) {
                byte[] bytes = Files.readAllBytes(f);
                for (int i = 0; i + n.length <= bytes.length; i++) {
                    if (java.util.Arrays.equals(bytes, i, i + n.length, n, 0, n.length)) {
                        bytes[i] ^= 0x02;
                        Files.write(f, bytes);
                        return;
                    }
                }
            }
        }
        throw new AssertionError(needle + " is in no cycle file of " + dir);
    }
}
