package dev.cairn.journal;

import dev.cairn.model.JournalRecord;

import java.io.IOException;

/**
 * A {@link JournalCursor} over a {@link ChronicleJournal}: its own {@link RecordTailer}, placed lazily at record
 * {@code fromSeq} (record N is the (N-1)th document of the queue, so it is found by seeking, see
 * {@link RecordTailer#seek}). Started at seq 1 it checks the chain from the zero hash; started later it takes the
 * first record's prev as given and checks from there. Once a read fails, every later one fails the same way. Takes
 * no lock: it sees another process's record as soon as Chronicle shows it. Not thread-safe.
 */
final class ChronicleCursor implements JournalCursor {

    /** What the cursor asks of its journal: to say whether it is still open. */
    @FunctionalInterface
    interface OpenCheck {
        /** @throws IOException if the journal is closed */
        void ensureOpen() throws IOException;
    }

    private final OpenCheck journal;
    private final QueueFiles files;
    private final RecordTailer tailer;
    /** Documents still to pass over before record {@code fromSeq}. */
    private long toSkip;
    /** Documents passed one by one to get to {@code fromSeq}; for tests of the seek. */
    private long skipped;
    private boolean sought;
    private IOException failed;
    private boolean closed;

    ChronicleCursor(QueueFiles files, OpenCheck journal, long fromSeq) {
        this.journal = journal;
        this.files = files;
        this.tailer = new RecordTailer(files, ChainCheck.at(fromSeq, fromSeq == 1 ? RecordCodec.ZERO_HASH : null));
        this.toSkip = fromSeq - 1;
    }

    @Override
    public JournalRecord next() throws IOException {
        EncodedRecord next = nextEncoded();
        return next == null ? null : next.record();
    }

    /** As {@link #next()}, the record with its exact stored bytes (for {@link EncodedRecords}). */
    EncodedRecord nextEncoded() throws IOException {
        if (closed) {
            throw new IOException("journal cursor is closed (" + files.dir() + ")");
        }
        journal.ensureOpen();
        if (failed != null) {
            throw failed;
        }
        try {
            if (!sought) {
                sought = true;
                toSkip = tailer.seek(toSkip);
            }
            while (toSkip > 0) {
                if (!tailer.skip()) {
                    return null;
                }
                toSkip--;
                skipped++;
            }
            return tailer.next();
        } catch (IOException e) {
            failed = e;
            throw e;
        } catch (RuntimeException e) {
            journal.ensureOpen();
            throw e;
        }
    }

    /** How many documents this cursor passed one by one to reach its first record; for tests of the seek. */
    long skipped() {
        return skipped;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                journal.ensureOpen();
                tailer.close();
            } catch (IOException alreadyClosed) {
                // the journal closed the queue, and every tailer of it with it
            }
        }
    }
}
