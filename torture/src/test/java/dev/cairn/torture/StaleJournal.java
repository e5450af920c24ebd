package dev.cairn.torture;

import dev.cairn.journal.ForwardingJournal;
import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;

import java.io.IOException;
import java.util.List;

/**
 * A {@link Journal} that shows a view of another one taken at a chosen moment: after {@link #freeze(long)} its
 * readers ({@link #lastSeq()} and every cursor, old or new) see nothing past that seq, as if the records other
 * processes appended since had not reached them yet; the first append through it (or {@link #thaw()}) lets them see
 * the head again. It is how {@link StaleRecoveryChild} runs the real recovery from a stale view of the journal, the
 * mistake issue 8 describes. Test code only. Thread-safe.
 */
final class StaleJournal extends ForwardingJournal {

    /** The last seq readers may see; {@link Long#MAX_VALUE} when not frozen. */
    private volatile long frozenAt = Long.MAX_VALUE;

    StaleJournal(Journal journal) {
        super(journal);
    }

    /** From now until the next append or {@link #thaw()}, readers see the journal only up to {@code seq}. */
    void freeze(long seq) {
        frozenAt = seq;
    }

    /** Readers see the journal's head again. */
    void thaw() {
        frozenAt = Long.MAX_VALUE;
    }

    @Override
    public JournalRecord append(Event event, Actor actor) throws IOException {
        thaw();
        return delegate.append(event, actor);
    }

    @Override
    public List<JournalRecord> appendAll(List<? extends Event> events, Actor actor) throws IOException {
        thaw();
        return delegate.appendAll(events, actor);
    }

    @Override
    public long lastSeq() throws IOException {
        return Math.min(delegate.lastSeq(), frozenAt);
    }

    @Override
    public JournalCursor read(long fromSeq) throws IOException {
        JournalCursor cursor = delegate.read(fromSeq);
        return new JournalCursor() {
            /** A record read from the journal but past the frozen view, held until the view moves on. */
            private JournalRecord held;

            @Override
            public JournalRecord next() throws IOException {
                JournalRecord r = held != null ? held : cursor.next();
                held = null;
                if (r != null && r.seq() > frozenAt) {
                    held = r;
                    return null;
                }
                return r;
            }

            @Override
            public void close() {
                cursor.close();
            }
        };
    }
}
