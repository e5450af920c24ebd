package dev.cairn.journal;

import dev.cairn.model.Digest;
import dev.cairn.model.JournalRecord;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The verified end of one journal as this process knows it: a {@link RecordTailer} that has passed every record up
 * to it, and so the seq and hash the next record must follow. New records are encoded against it.
 *
 * <p>It moves only under the append lock, so it never holds a record whose writer has not finished its fsync:
 * by {@link #load} at open, by {@link #catchUp} over what other processes appended, and by {@link #advanceOver}
 * over a batch this process just made durable — from the bytes written, without reading them back. Each move is
 * told to the {@link HeadListener}.
 *
 * <p>Thread-safe: every method takes the head's own lock (its tailer is not thread-safe).
 */
final class VerifiedHead implements Closeable {

    /** How many records at most the listener is told at once while the whole journal is read at open. */
    private static final int LOAD_CHUNK = 4096;

    private final ReentrantLock lock = new ReentrantLock();
    private final QueueFiles files;
    /** Guarded by lock; replaced once, at open, by the one placed after a trusted prefix. */
    private RecordTailer tailer;
    private final HeadListener listener;
    /** Set when the listener failed after open; it is told nothing more. */
    private volatile IOException listenerFailure;

    VerifiedHead(QueueFiles files, HeadListener listener) throws IOException {
        this.files = files;
        this.tailer = RecordTailer.fromStart(files);
        this.listener = listener;
    }

    /**
     * Verifies the whole journal from seq 1 through this head (see {@link JournalLoader}), leaving the head at its
     * end. Requires the append lock.
     */
    VerifyReport load(Optional<HeadCheckpoint> checkpoint) throws IOException {
        lock.lock();
        try {
            if (listener == HeadListener.NONE) {
                return JournalLoader.verify(files, tailer, checkpoint, null);
            }
            List<EncodedRecord> chunk = new ArrayList<>();
            VerifyReport report = JournalLoader.verify(files, tailer, checkpoint, record -> {
                chunk.add(record);
                if (chunk.size() == LOAD_CHUNK) {
                    listener.advanced(List.copyOf(chunk));
                    chunk.clear();
                }
            });
            if (!chunk.isEmpty()) {
                listener.advanced(List.copyOf(chunk));
            }
            return report;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Verifies the journal after {@code prefix} only, when the prefix holds, leaving the head at its end; else, as
     * {@link #load(Optional)}, the whole journal from seq 1. Requires the append lock. The prefix holds when record
     * {@code prefix.seq()} is found where it belongs (document {@code seq - 1} of the queue, by the cycles' document
     * counts), is a sound record of that seq (frame, checksum, version) and hashes to {@code prefix.hash()}; and, if
     * the head checkpoint names a record at or before it, that record has the checkpoint's hash. Whatever fails
     * there is not judged here: the whole journal is read instead, which says what is wrong if anything is.
     *
     * @param prefix null to verify from seq 1
     * @return whether the prefix was taken, and if not why
     * @throws IllegalStateException if a listener is installed: it must be told every record from seq 1
     */
    OpenReport load(Optional<HeadCheckpoint> checkpoint, TrustedPrefix prefix) throws IOException {
        if (prefix == null) {
            load(checkpoint);
            return OpenReport.FROM_START;
        }
        if (listener != HeadListener.NONE) {
            throw new IllegalStateException("a journal with a head listener is verified from seq 1");
        }
        lock.lock();
        try {
            // Before Chronicle reads a cycle file: it meets a bad first header by waiting and setting the file aside.
            QueueFiles.refuseDiscardedFiles(files.dir());
            QueueFiles.checkCycleFileHeaders(files.dir(), false);
            Optional<ArchivedPrefix> archived = files.archivedPrefix();
            if (archived.isPresent() && archived.get().lastSeq() == prefix.seq()) {
                return loadAfterArchived(checkpoint, prefix, archived.get());
            }
            RecordTailer placed = new RecordTailer(files, ChainCheck.at(prefix.seq(), null));
            String refusal;
            try {
                refusal = placeAfter(placed, prefix, checkpoint);
            } catch (IOException | RuntimeException e) {
                refusal = "record " + prefix.seq() + " could not be read: " + e.getMessage();
            }
            if (refusal != null) {
                placed.close();
                JournalLoader.verify(files, tailer, checkpoint, null);
                return new OpenReport(Optional.empty(), Optional.of(refusal));
            }
            tailer.close();
            tailer = placed;
            long index = placed.lastIndex();
            JournalLoader.verifyAfter(files, placed, checkpoint, QueueFiles.ROLL_CYCLE.toCycle(index),
                    QueueFiles.ROLL_CYCLE.toSequenceNumber(index) + 1);
            return new OpenReport(Optional.of(prefix), Optional.empty());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The trusted prefix ends exactly where the journal's archived prefix does (an index snapshot written for the
     * archive): its record is not in the directory any more, so the link is checked against the archived prefix's
     * last hash, which the first kept record's prev must be (the chain check of the first record read).
     */
    private OpenReport loadAfterArchived(Optional<HeadCheckpoint> checkpoint, TrustedPrefix prefix,
                                         ArchivedPrefix archived) throws IOException {
        if (!archived.lastHash().equals(prefix.hash())) {
            JournalLoader.verify(files, tailer, checkpoint, null);
            return new OpenReport(Optional.empty(), Optional.of("record " + prefix.seq() + " (archived) hashes to "
                    + archived.lastHash() + ", not " + prefix.hash()));
        }
        JournalLoader.verify(files, tailer, checkpoint, null);
        return new OpenReport(Optional.of(prefix), Optional.empty());
    }

    /** Reads record {@code prefix.seq()} with {@code placed}; null if the prefix holds, else why not. */
    private String placeAfter(RecordTailer placed, TrustedPrefix prefix, Optional<HeadCheckpoint> checkpoint)
            throws IOException {
        long seq = prefix.seq();
        EncodedRecord at = readAlone(placed, seq);
        if (at == null) {
            return "the journal has no record " + seq + " (it ends before it, or the queue's index cannot find it)";
        }
        if (!at.record().hash().equals(prefix.hash())) {
            return "record " + seq + " hashes to " + at.record().hash() + ", not " + prefix.hash();
        }
        if (checkpoint.isPresent() && checkpoint.get().seq() >= 1 && checkpoint.get().seq() <= seq) {
            HeadCheckpoint cp = checkpoint.get();
            EncodedRecord named = cp.seq() == seq ? at : null;
            if (named == null) {
                try (RecordTailer other = new RecordTailer(files, ChainCheck.at(cp.seq(), null))) {
                    named = readAlone(other, cp.seq());
                }
            }
            if (named == null || !named.record().hash().equals(cp.hash())) {
                return "the record the head checkpoint names, seq " + cp.seq() + ", "
                        + (named == null ? "cannot be found" : "does not have the checkpoint's hash");
            }
        }
        return null;
    }

    /** Record {@code seq}, read by a tailer placed at it by {@link RecordTailer#seek}; null if it is not there. */
    private static EncodedRecord readAlone(RecordTailer tailer, long seq) throws IOException {
        if (tailer.seek(seq - 1) != 0) {
            return null;
        }
        return tailer.next();
    }

    /**
     * Reads and checks the records appended since the head last moved (by other processes), moving it past them.
     * Requires the append lock.
     */
    List<EncodedRecord> catchUp() throws IOException {
        lock.lock();
        try {
            List<EncodedRecord> out = new ArrayList<>();
            EncodedRecord record;
            while ((record = tailer.next()) != null) {
                out.add(record);
            }
            if (!out.isEmpty()) {
                tell(List.copyOf(out));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the head over records this process encoded against it and has just made durable: each must be the next
     * document of the queue, at the Chronicle index its appender reported and of the length written; the tailer steps
     * over them by their Chronicle headers, without copying, checking or decoding their bytes again. Requires the
     * append lock, held since they were encoded.
     *
     * @param indexes the Chronicle index each was written at
     * @throws IOException if the queue does not hold them where they were written (then nothing is trusted)
     */
    void advanceOver(List<EncodedRecord> written, long[] indexes) throws IOException {
        lock.lock();
        try {
            for (int i = 0; i < written.size(); i++) {
                long length = tailer.stepOver();
                JournalRecord record = written.get(i).record();
                if (tailer.lastIndex() != indexes[i] || length != written.get(i).bytes().length) {
                    throw new IOException("journal record " + record.seq() + " was written at "
                            + files.position(indexes[i], null) + ", " + written.get(i).bytes().length + " bytes, but "
                            + "the queue holds " + (length < 0 ? "no document" : "a document of " + length + " bytes")
                            + " at " + files.position(tailer.lastIndex(), null) + " after the head");
                }
                tailer.chain().advance(record);
            }
            tell(written);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Why the listener is out of step with the head (it threw after open), or null: the journal must then refuse
     * appends, as after a failed fsync; the records the head passed are durable all the same.
     */
    IOException listenerFailure() {
        return listenerFailure;
    }

    private void tell(List<EncodedRecord> records) {
        if (listenerFailure != null) {
            return;
        }
        try {
            listener.advanced(records);
        } catch (IOException | RuntimeException e) {
            listenerFailure = new IOException("the journal's head listener failed on records "
                    + records.get(0).record().seq() + " to " + records.get(records.size() - 1).record().seq()
                    + " of " + files.dir() + ": " + e, e);
        }
    }

    /** Whether the queue shows a document past the head: a record some process appended since it last moved. */
    boolean behind() {
        lock.lock();
        try {
            return tailer.hasNext();
        } finally {
            lock.unlock();
        }
    }

    /** The seq of the last record the head has passed, 0 for none. */
    long lastSeq() {
        lock.lock();
        try {
            return tailer.chain().lastSeq();
        } finally {
            lock.unlock();
        }
    }

    /** The hash of the last record the head has passed (the zero hash for none): the next record's prev. */
    Digest lastHash() {
        lock.lock();
        try {
            return tailer.chain().lastHash();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            tailer.close();
        } finally {
            lock.unlock();
        }
    }
}
