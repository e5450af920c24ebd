package dev.cairn.journal;

import dev.cairn.model.JournalRecord;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reads journal records in seq order. Not thread-safe: one cursor per reading thread. {@link #next()} never
 * blocks; a caller that wants to follow new records polls it again (see {@link #await}).
 */
public interface JournalCursor extends Closeable {

    /**
     * The next record, or null if there is none yet.
     *
     * @throws dev.cairn.model.JournalCorruptedException if the next record fails verification
     */
    JournalRecord next() throws IOException;

    /**
     * The next record, waiting up to {@code timeoutMillis} for one to be appended (by any process).
     *
     * @return the record, or null if none arrived in time
     */
    default JournalRecord await(long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        long pause = 1;
        while (true) {
            JournalRecord r = next();
            if (r != null) {
                return r;
            }
            if (System.nanoTime() >= deadline) {
                return null;
            }
            Thread.sleep(pause);
            pause = Math.min(pause * 2, 50);
        }
    }

    @Override
    void close();
}
