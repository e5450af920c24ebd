package dev.cairn.projection;

import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.model.JournalRecord;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store's current {@link LayerIndex}, kept equal to the fold of the journal by reading the journal forward.
 * This is the only way the index changes: a writer appends an event and then calls {@link #catchUpTo} with the
 * seq it got back, so records appended by other processes in between are folded in their order too.
 *
 * <p>Thread-safe. {@link #current()} never blocks; {@link #catchUp()} and {@link #catchUpTo} fold under a lock
 * that readers never need ({@link #tryCatchUp()} gives up at once when another thread is folding).
 */
public final class LiveIndex implements Closeable {

    private final JournalCursor cursor;
    private final ReentrantLock foldLock = new ReentrantLock();
    private volatile LayerIndex current;

    private LiveIndex(JournalCursor cursor, LayerIndex start) {
        this.cursor = cursor;
        this.current = start;
    }

    /** A live index that starts from {@code start} and follows {@code journal} from the record after it. */
    public static LiveIndex follow(Journal journal, LayerIndex start) throws IOException {
        LiveIndex live = new LiveIndex(journal.read(start.seq() + 1), start);
        live.catchUp();
        return live;
    }

    /** The latest folded index; never blocks. */
    public LayerIndex current() {
        return current;
    }

    /** Folds every record the journal has now. */
    public LayerIndex catchUp() throws IOException {
        foldLock.lock();
        try {
            return foldAvailable();
        } finally {
            foldLock.unlock();
        }
    }

    /** Like {@link #catchUp()}, but returns the current index at once if another thread is folding. */
    public LayerIndex tryCatchUp() throws IOException {
        if (!foldLock.tryLock()) {
            return current;
        }
        try {
            return foldAvailable();
        } finally {
            foldLock.unlock();
        }
    }

    /** Folds until the index includes record {@code seq} (which the caller knows is durable). */
    public LayerIndex catchUpTo(long seq) throws IOException {
        foldLock.lock();
        try {
            LayerIndex index = foldAvailable();
            while (index.seq() < seq) {
                JournalRecord r;
                try {
                    r = cursor.await(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while reading record " + seq);
                }
                if (r == null) {
                    throw new IOException("journal record " + seq + " was appended but cannot be read back");
                }
                index = index.apply(r);
                current = index;
            }
            return index;
        } finally {
            foldLock.unlock();
        }
    }

    private LayerIndex foldAvailable() throws IOException {
        LayerIndex index = current;
        for (JournalRecord r = cursor.next(); r != null; r = cursor.next()) {
            index = index.apply(r);
        }
        current = index;
        return index;
    }

    @Override
    public void close() {
        foldLock.lock();
        try {
            cursor.close();
        } finally {
            foldLock.unlock();
        }
    }
}
