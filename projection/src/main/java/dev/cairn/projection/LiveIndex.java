package dev.cairn.projection;

import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.model.Digest;
import dev.cairn.model.JournalRecord;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store's current {@link LayerIndex}, kept equal to the fold of the journal. It changes in two ways only: by
 * reading the journal forward ({@link #catchUp()}), which is how other processes' records come in, and by
 * {@link #accept} of the records this process just appended, as {@link Journal#append} returned them: those are
 * folded as they are, never read back and decoded again. Records of other processes that came before them are read
 * first, so the fold is always in seq order; the chain is checked at every step ({@code prev} of each record is the
 * hash of the one before).
 *
 * <p>Thread-safe. {@link #current()} never blocks; {@link #catchUp()} and {@link #accept} fold under a lock that
 * readers never need ({@link #tryCatchUp()} gives up at once when another thread is folding).
 */
public final class LiveIndex implements Closeable {

    /** How long {@link #accept} waits for another process's record it knows to be durable to become readable. */
    private static final long AWAIT_MILLIS = 10_000;

    private final Journal journal;
    private final ReentrantLock foldLock = new ReentrantLock();
    /** The index and the hash of its last record, written together under foldLock. */
    private volatile Folded folded;
    private volatile Runnable onAdvance = () -> { };
    /** Guarded by foldLock: reads from {@link #cursorSeq}; reopened when accepted records moved the index past it. */
    private JournalCursor cursor;
    private long cursorSeq;
    /** Guarded by foldLock: the hash of record {@code current.seq()}, null when not known (the start). */
    private Digest lastHash;

    /**
     * An index and the hash of its last record (null for the empty index, or when it is not known): what a snapshot
     * of it needs.
     */
    public record Folded(LayerIndex index, Digest hash) {
    }

    private LiveIndex(Journal journal, LayerIndex start, Digest startHash) {
        this.journal = journal;
        this.folded = new Folded(start, startHash);
        this.lastHash = startHash;
    }

    /** A live index that starts from {@code start} and follows {@code journal} from the record after it. */
    public static LiveIndex follow(Journal journal, LayerIndex start) throws IOException {
        return follow(journal, start, null);
    }

    /**
     * A live index that starts from {@code start}, whose last record hashes to {@code startHash} (a snapshot's), and
     * follows {@code journal} from the record after it, checking that that record's prev is {@code startHash}.
     */
    public static LiveIndex follow(Journal journal, LayerIndex start, Digest startHash) throws IOException {
        LiveIndex live = new LiveIndex(journal, start, startHash);
        live.catchUp();
        return live;
    }

    /** The latest folded index; never blocks. */
    public LayerIndex current() {
        return folded.index();
    }

    /** The latest folded index with the hash of its last record; never blocks. */
    public Folded folded() {
        return folded;
    }

    /**
     * Sets what is run after records were folded in (by {@link #catchUp}, {@link #tryCatchUp} or {@link #accept}),
     * on the thread that folded them, after the fold lock is released. It must be quick and must not fold.
     */
    public void onAdvance(Runnable listener) {
        this.onAdvance = listener;
    }

    /** Folds every record the journal has now: the index as of the journal's head. */
    public LayerIndex catchUp() throws IOException {
        long before = current().seq();
        foldLock.lock();
        try {
            return foldAvailable();
        } finally {
            foldLock.unlock();
            told(before);
        }
    }

    /** Like {@link #catchUp()}, but returns the current index at once if another thread is folding. */
    public LayerIndex tryCatchUp() throws IOException {
        if (!foldLock.tryLock()) {
            return current();
        }
        long before = current().seq();
        try {
            return foldAvailable();
        } finally {
            foldLock.unlock();
            told(before);
        }
    }

    /**
     * Folds in records this process appended, as the journal returned them (consecutive seqs, durable). Records
     * before them that the index does not have yet (other processes') are read from the journal first; records it
     * has already (read meanwhile by another thread) are passed over.
     *
     * @return the index including every record of {@code appended}
     * @throws IOException if a record before them cannot be read, or a record does not chain onto the one before it
     */
    public LayerIndex accept(List<JournalRecord> appended) throws IOException {
        if (appended.isEmpty()) {
            return current();
        }
        long before = current().seq();
        foldLock.lock();
        try {
            LayerIndex current = current();
            long first = appended.get(0).seq();
            if (current.seq() < first - 1) {
                if (!position()) {
                    throw new IOException("journal record " + (current.seq() + 1) + " comes before record " + first
                            + ", which was appended, but the journal says it ends at " + journal.lastSeq() + " ("
                            + journal.location() + ")");
                }
                while (current.seq() < first - 1) {
                    JournalRecord r;
                    try {
                        r = cursor.await(AWAIT_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while reading journal record "
                                + (current.seq() + 1));
                    }
                    if (r == null) {
                        throw new IOException("journal record " + (current.seq() + 1) + " comes before record "
                                + first + ", which was appended, but cannot be read (" + journal.location() + ")");
                    }
                    current = foldRead(r);
                }
            }
            for (JournalRecord r : appended) {
                if (r.seq() > current.seq()) {
                    current = fold(r);
                }
            }
            return current;
        } finally {
            foldLock.unlock();
            told(before);
        }
    }

    private void told(long before) {
        if (current().seq() != before) {
            onAdvance.run();
        }
    }

    private LayerIndex foldAvailable() throws IOException {
        if (!position()) {
            return current();
        }
        for (JournalRecord r = cursor.next(); r != null; r = cursor.next()) {
            foldRead(r);
        }
        return current();
    }

    /**
     * Folds a record the cursor has just returned. If it cannot be folded, the cursor (already past it) is dropped,
     * so that the next catch-up reads that record again instead of going on after it.
     */
    private LayerIndex foldRead(JournalRecord r) throws IOException {
        LayerIndex next;
        try {
            next = fold(r);
        } catch (IOException | RuntimeException e) {
            cursor.close();
            cursor = null;
            throw e;
        }
        cursorSeq++;
        return next;
    }

    /**
     * Puts the cursor at the record after the index. When accepted records moved the index past the cursor, it is
     * reopened there only once the journal has that record (appended by another process): so a process that is the
     * only writer never reopens it, and a cursor is never asked to seek past the journal's end.
     *
     * @return whether there is a cursor at the record after the index (false: the journal has nothing after it)
     */
    private boolean position() throws IOException {
        long next = current().seq() + 1;
        if (cursor != null && cursorSeq == next) {
            return true;
        }
        if (journal.lastSeq() < next) {
            return false;
        }
        if (cursor != null) {
            cursor.close();
            cursor = null;
        }
        cursor = journal.read(next);
        cursorSeq = next;
        return true;
    }

    private LayerIndex fold(JournalRecord r) throws IOException {
        if (lastHash != null && !r.prev().equals(lastHash)) {
            throw new IOException("journal record " + r.seq() + " does not follow record " + (r.seq() - 1)
                    + " of the index: its prev is " + r.prev() + ", not " + lastHash + " (" + journal.location() + ")");
        }
        LayerIndex next = folded.index().apply(r);
        folded = new Folded(next, r.hash());
        lastHash = r.hash();
        return next;
    }

    @Override
    public void close() {
        foldLock.lock();
        try {
            if (cursor != null) {
                cursor.close();
                cursor = null;
            }
        } finally {
            foldLock.unlock();
        }
    }
}
