package dev.cairn.journal;

import dev.cairn.model.JournalCorruptedException;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies a whole journal directory, as {@link ChronicleJournal#open} and {@link ChronicleJournal#verify} do
 * (docs/JOURNAL.md, "What open verifies"): no {@code *.discard} file and a sound store header on every cycle file
 * (before and after), every record from seq 1 checked ({@link RecordTailer}), then what Chronicle cannot see for
 * itself — that each cycle holds exactly as many documents as were read from it (a damaged document header in the
 * middle of a file makes Chronicle stop there and hide every record after it), and that the journal reaches the
 * record its head checkpoint names, with that record's hash (else it lost its tail).
 *
 * <p>The caller holds the append lock (shared at least), so that no batch is half written meanwhile. Stateless.
 */
final class JournalLoader {

    private JournalLoader() {
    }

    /** What is told each record read; null for nothing. */
    @FunctionalInterface
    interface Reader {
        void read(EncodedRecord record) throws IOException;
    }

    /**
     * Reads {@code tailer}, which must be at the start, to the end of the journal and checks all of the above.
     *
     * @param checkpoint the head checkpoint as it is on disk, if there is one
     * @param each       told every record as it is read; null for none
     * @throws JournalCorruptedException at the first damage found
     * @throws dev.cairn.model.FormatTooNewException at the first record a newer Cairn wrote
     */
    static VerifyReport verify(QueueFiles files, RecordTailer tailer, Optional<HeadCheckpoint> checkpoint,
                               Reader each) throws IOException {
        return verify(files, tailer, checkpoint, each, Integer.MIN_VALUE, 0);
    }

    /**
     * As {@link #verify(QueueFiles, RecordTailer, Optional, Reader)}, for a tailer placed after a trusted prefix: the
     * records from the tailer on are read and checked, and the documents before it are counted as read — those of
     * the cycles before {@code firstCycle}, and {@code readInFirstCycle} documents of {@code firstCycle} — so that
     * the count check covers the rest of the journal. The head checkpoint must be checked for a record inside the
     * prefix by the caller; one past it is checked here.
     */
    static VerifyReport verifyAfter(QueueFiles files, RecordTailer tailer, Optional<HeadCheckpoint> checkpoint,
                                    int firstCycle, long readInFirstCycle) throws IOException {
        return verify(files, tailer, checkpoint, null, firstCycle, readInFirstCycle);
    }

    private static VerifyReport verify(QueueFiles files, RecordTailer tailer, Optional<HeadCheckpoint> checkpoint,
                                       Reader each, int firstCycle, long readInFirstCycle) throws IOException {
        QueueFiles.refuseDiscardedFiles(files.dir());
        QueueFiles.checkCycleFileHeaders(files.dir(), false);
        ChainCheck chain = tailer.chain();
        Map<Integer, Long> readPerCycle = new HashMap<>();
        long records = 0;
        EncodedRecord read;
        while ((read = tailer.next()) != null) {
            records++;
            if (each != null) {
                each.read(read);
            }
            readPerCycle.merge(QueueFiles.ROLL_CYCLE.toCycle(tailer.lastIndex()), 1L, Long::sum);
            if (checkpoint.isPresent() && read.record().seq() == checkpoint.get().seq()
                    && !read.record().hash().equals(checkpoint.get().hash())) {
                throw new JournalCorruptedException(read.record().seq(),
                        files.dir().resolve(HeadCheckpoint.FILE).toString(), "the head checkpoint says record "
                        + read.record().seq() + " hashes to " + checkpoint.get().hash() + " but it hashes to "
                        + read.record().hash() + " (the journal was replaced by another one?)");
            }
        }
        for (Map.Entry<Integer, Long> cycle : files.documentsPerCycle().entrySet()) {
            long inCycle = readPerCycle.getOrDefault(cycle.getKey(), 0L) + (cycle.getKey() < firstCycle
                    ? cycle.getValue() : cycle.getKey() == firstCycle ? readInFirstCycle : 0);
            if (cycle.getValue() > inCycle) {
                long index = QueueFiles.ROLL_CYCLE.toIndex(cycle.getKey(), inCycle);
                throw new JournalCorruptedException(chain.nextSeq(), files.position(index, null), "Chronicle "
                        + "counts " + cycle.getValue() + " documents in this cycle file but only " + inCycle
                        + " could be read: a damaged document header hides the records after seq " + chain.lastSeq());
            }
        }
        if (checkpoint.isPresent() && chain.lastSeq() < checkpoint.get().seq()) {
            long last = chain.lastSeq();
            long remembered = checkpoint.get().seq();
            throw new JournalCorruptedException(last + 1, "end of the journal in " + files.dir() + ", "
                    + files.lastCycleFile(), "the journal ends at seq " + last + " but its head checkpoint ("
                    + HeadCheckpoint.FILE + ") says seq " + remembered + " was durable: records " + (last + 1)
                    + " to " + remembered + " are lost (a missing, truncated or older cycle file)");
        }
        QueueFiles.refuseDiscardedFiles(files.dir());
        return new VerifyReport(records, chain.lastSeq(), chain.lastSeq() == 0 ? null : chain.lastHash());
    }
}
