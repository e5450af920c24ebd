package dev.cairn.store;

import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.model.JournalRecord;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/**
 * The journal's records from one seq on ({@link LayerStore#subscribe}), history first and then live: every record exactly once, in seq order, with
 * no gap — also across cycle files and while other processes append. A record is handed out only once it is durable
 * ({@link Journal#lastSeq()} has reached it): a cursor can see another process's record a moment before that
 * process's fsync has finished, and a machine crash in that moment could still take such a record away.
 *
 * <p>Each record is verified as every cursor verifies it (checksum, seq, chain); damage is thrown at the record and
 * again on every later call. Meant for one reading thread; {@link #close()} may be called from any thread: it waits
 * for a {@link #poll()} under way and ends a {@link #next(Duration)} that is waiting.
 */
public final class RecordSubscription implements Closeable {

    private static final long MAX_PAUSE_MILLIS = 50;

    private final Journal journal;
    private final JournalCursor cursor;
    private volatile long nextSeq;
    /** The last seq known durable; read again only when a record past it is seen. */
    private long durable;
    /** A record read but not yet known to be durable. */
    private JournalRecord held;
    private volatile boolean closed;

    private RecordSubscription(Journal journal, JournalCursor cursor, long fromSeq, long durable) {
        this.journal = journal;
        this.cursor = cursor;
        this.nextSeq = fromSeq;
        this.durable = durable;
    }

    /**
     * Subscribes to {@code journal} from record {@code fromSeq}: 1 is the whole history; the journal's
     * {@link Journal#lastSeq()} + 1 is only what comes next.
     *
     * @throws IllegalArgumentException if {@code fromSeq} is below 1 or past the record that comes next
     */
    static RecordSubscription from(Journal journal, long fromSeq) throws IOException {
        long last = journal.lastSeq();
        if (fromSeq < 1 || fromSeq > last + 1) {
            throw new IllegalArgumentException("seq " + fromSeq + " is not in the journal (it ends at " + last
                    + "; a subscription starts at 1 to " + (last + 1) + ")");
        }
        return new RecordSubscription(journal, journal.read(fromSeq), fromSeq, last);
    }

    /** The seq of the record {@link #poll()} and {@link #next(Duration)} return next. */
    public long nextSeq() {
        return nextSeq;
    }

    /**
     * The next durable record, or null if there is none yet; never waits (other than for another process's batch to
     * finish its fsync, milliseconds).
     *
     * @throws IOException if the subscription is closed, or the next record fails verification
     */
    public synchronized JournalRecord poll() throws IOException {
        if (closed) {
            throw new IOException("record subscription is closed (" + journal.location() + ")");
        }
        if (held == null) {
            held = cursor.next();
            if (held == null) {
                return null;
            }
            if (held.seq() != nextSeq) {
                throw new IOException("journal cursor gave seq " + held.seq() + " where seq " + nextSeq
                        + " belongs (" + journal.location() + ")");
            }
        }
        if (held.seq() > durable) {
            durable = journal.lastSeq();
            if (held.seq() > durable) {
                return null;
            }
        }
        JournalRecord r = held;
        held = null;
        nextSeq++;
        return r;
    }

    /**
     * The next durable record, waiting up to {@code timeout} for one to be appended (by any process).
     *
     * @return the record, or null if none came in time or the subscription was closed while waiting
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public JournalRecord next(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (true) {
            if (closed) {
                return null;
            }
            JournalRecord r = poll();
            if (r != null) {
                return r;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Thread.sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
            pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
        }
    }

    /** Ends the subscription and releases its cursor. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            cursor.close();
        }
    }
}
