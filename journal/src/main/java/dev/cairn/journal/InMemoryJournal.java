package dev.cairn.journal;

import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Journal} in memory, for tests of the layers above. It keeps each record as its encoded bytes (the same
 * format as {@link ChronicleJournal}, docs/JOURNAL.md), appended as the durable journal appends them (prepared,
 * sealed against the chain, never decoded again) and read back through the codec and the chain check. "Durable"
 * means "in this object": nothing survives the JVM. Thread-safe; appends are serialized by one monitor, readers
 * take it only to fetch one record's bytes.
 */
public final class InMemoryJournal implements Journal, EncodedRecords {

    private final List<byte[]> records = new ArrayList<>();
    private final ChainCheck head = ChainCheck.fromStart();
    private boolean closed;

    /** An empty journal. */
    public InMemoryJournal() {
    }

    @Override
    public synchronized JournalRecord append(Event event, Actor actor) throws IOException {
        return appendAll(List.of(event), actor).get(0);
    }

    @Override
    public synchronized List<JournalRecord> appendAll(List<? extends Event> events, Actor actor) throws IOException {
        Objects.requireNonNull(actor, "actor");
        ensureOpen();
        byte[] actorJson = EventJson.writeBytes(actor);
        List<RecordCodec.Prepared> prepared = new ArrayList<>(events.size());
        for (Event event : events) {
            prepared.add(RecordCodec.prepare(actor, actorJson, Objects.requireNonNull(event, "event")));
        }
        List<EncodedRecord> sealed = new ArrayList<>(prepared.size());
        long seq = head.lastSeq();
        var prev = head.lastHash();
        Instant now = Instant.now();
        for (RecordCodec.Prepared record : prepared) {
            EncodedRecord next = RecordCodec.seal(++seq, now, record, prev);
            sealed.add(next);
            prev = next.record().hash();
        }
        List<JournalRecord> appended = new ArrayList<>(sealed.size());
        for (EncodedRecord record : sealed) {
            head.advance(record.record());
            records.add(record.bytes());
            appended.add(record.record());
        }
        return List.copyOf(appended);
    }

    @Override
    public synchronized long lastSeq() throws IOException {
        ensureOpen();
        return head.lastSeq();
    }

    @Override
    public JournalCursor read(long fromSeq) throws IOException {
        if (fromSeq < 1) {
            throw new IllegalArgumentException("fromSeq must be >= 1, was " + fromSeq);
        }
        ensureOpenLocked();
        return new JournalCursor() {
            private final ChainCheck chain = ChainCheck.at(fromSeq, null);
            private boolean cursorClosed;

            @Override
            public JournalRecord next() throws IOException {
                if (cursorClosed) {
                    throw new IOException("journal cursor is closed");
                }
                byte[] bytes = bytesOf(chain.nextSeq());
                return bytes == null ? null : chain.accept(bytes, InMemoryJournal.this::position);
            }

            @Override
            public void close() {
                cursorClosed = true;
            }
        };
    }

    @Override
    public void readEncoded(long fromSeq, long toSeq, EncodedRecords.Sink sink) throws IOException {
        if (fromSeq < 1) {
            throw new IllegalArgumentException("fromSeq must be >= 1, was " + fromSeq);
        }
        ChainCheck chain = ChainCheck.at(fromSeq, null);
        for (long seq = fromSeq; seq <= toSeq; seq++) {
            byte[] bytes = bytesOf(seq);
            if (bytes == null) {
                throw new java.io.EOFException("the in-memory journal ends at seq " + (seq - 1) + ", before seq "
                        + toSeq);
            }
            chain.accept(bytes, this::position);
            sink.accept(seq, bytes.clone());
        }
    }

    @Override
    public VerifyReport verify() throws IOException {
        ensureOpenLocked();
        ChainCheck chain = ChainCheck.fromStart();
        byte[] bytes;
        while ((bytes = bytesOf(chain.nextSeq())) != null) {
            chain.accept(bytes, this::position);
        }
        return new VerifyReport(chain.lastSeq(), chain.lastSeq(), chain.lastSeq() == 0 ? null : chain.lastHash());
    }

    @Override
    public Path location() {
        return null;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    /**
     * Replaces the stored bytes of record {@code seq}, for tests that damage a journal. The record is not checked.
     */
    synchronized void overwrite(long seq, byte[] bytes) {
        records.set(Math.toIntExact(seq - 1), bytes.clone());
    }

    private synchronized byte[] bytesOf(long seq) throws IOException {
        ensureOpen();
        return seq <= records.size() ? records.get(Math.toIntExact(seq - 1)) : null;
    }

    private String position(long seq) {
        return "in-memory record " + seq;
    }

    private synchronized void ensureOpenLocked() throws IOException {
        ensureOpen();
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("journal is closed (in-memory journal)");
        }
    }

    @Override
    public String toString() {
        return "InMemoryJournal[" + records.size() + " records]";
    }
}
