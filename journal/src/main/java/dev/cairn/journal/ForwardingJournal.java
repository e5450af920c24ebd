package dev.cairn.journal;

import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link Journal} that hands every call to another one: the base of a view that changes a few of them (an archive
 * chain's history, a test's stale or counting view). Thread-safe as far as the journal it forwards to is.
 */
public abstract class ForwardingJournal implements Journal {

    /** The journal every call not overridden goes to. */
    protected final Journal delegate;

    protected ForwardingJournal(Journal delegate) {
        this.delegate = delegate;
    }

    @Override
    public JournalRecord append(Event event, Actor actor) throws IOException {
        return delegate.append(event, actor);
    }

    @Override
    public List<JournalRecord> appendAll(List<? extends Event> events, Actor actor) throws IOException {
        return delegate.appendAll(events, actor);
    }

    @Override
    public long lastSeq() throws IOException {
        return delegate.lastSeq();
    }

    @Override
    public JournalCursor read(long fromSeq) throws IOException {
        return delegate.read(fromSeq);
    }

    @Override
    public VerifyReport verify() throws IOException {
        return delegate.verify();
    }

    @Override
    public Path location() {
        return delegate.location();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
