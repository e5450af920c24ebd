package dev.cairn.projection;

import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.model.JournalRecord;

import java.io.IOException;

/** The time machine: the index as it was at an earlier point of the journal, by folding it from seq 1. Stateless. */
public final class Replay {

    private Replay() {
    }

    /**
     * The index right after record {@code seq} (0: the empty index).
     *
     * @throws IllegalArgumentException if {@code seq} is beyond the journal's end
     */
    public static LayerIndex asOf(Journal journal, long seq) throws IOException {
        long last = journal.lastSeq();
        if (seq < 0 || seq > last) {
            throw new IllegalArgumentException("seq " + seq + " is not in the journal (it ends at " + last + ")");
        }
        LayerIndex index = LayerIndex.empty();
        try (JournalCursor cursor = journal.read(1)) {
            while (index.seq() < seq) {
                JournalRecord r = cursor.next();
                if (r == null) {
                    throw new IOException("journal ended at seq " + index.seq() + " before seq " + seq);
                }
                index = index.apply(r);
            }
        }
        return index;
    }
}
