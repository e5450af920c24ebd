package dev.cairn.store;

import dev.cairn.journal.JournalCursor;
import dev.cairn.model.JournalRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** A journal cursor as a stream of its records, closing the cursor when the stream is closed. */
final class RecordStream {

    private RecordStream() {
    }

    /** The records {@code cursor} has now, in order; an I/O failure while reading is an {@link UncheckedIOException}. */
    static Stream<JournalRecord> of(JournalCursor cursor) {
        Spliterator<JournalRecord> it = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL) {
            @Override
            public boolean tryAdvance(Consumer<? super JournalRecord> action) {
                try {
                    JournalRecord r = cursor.next();
                    if (r == null) {
                        return false;
                    }
                    action.accept(r);
                    return true;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        return StreamSupport.stream(it, false).onClose(cursor::close);
    }
}
