package dev.cairn.journal;

import dev.cairn.model.Digest;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The verified end of one journal as this process knows it: a {@link RecordTailer} that has read and checked every
 * record up to it, and so the seq and hash the next record must follow. New records are encoded against it.
 *
 * <p>Thread-safe: every method takes the head's own lock, which the committer also holds across a whole batch
 * ({@link #lock()}), so that no reader advances the head over a batch while it is being written.
 */
final class VerifiedHead implements Closeable {

    private final ReentrantLock lock = new ReentrantLock();
    private final QueueFiles files;
    private final RecordTailer tailer;

    VerifiedHead(QueueFiles files) {
        this.files = files;
        this.tailer = new RecordTailer(files, ChainCheck.fromStart());
    }

    /**
     * Verifies the whole journal from seq 1 through this head (see {@link JournalLoader}), leaving the head at its
     * end. Requires the append lock.
     */
    VerifyReport load(Optional<HeadCheckpoint> checkpoint) throws IOException {
        lock.lock();
        try {
            return JournalLoader.verify(files, tailer, checkpoint);
        } finally {
            lock.unlock();
        }
    }

    /** Reads and checks the records appended since the head last moved (by any process), moving it past them. */
    List<EncodedRecord> catchUp() throws IOException {
        lock.lock();
        try {
            List<EncodedRecord> out = new ArrayList<>();
            EncodedRecord record;
            while ((record = tailer.next()) != null) {
                out.add(record);
            }
            return out;
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

    /** Holds the head still until {@link #unlock()}: the committer, across a batch. */
    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
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
