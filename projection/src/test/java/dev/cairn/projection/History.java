package dev.cairn.projection;

import dev.cairn.model.Actor;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A journal's records built by a test, one event after another, and the index they fold to. Not thread-safe. */
final class History {

    private static final Digest ZERO = Digest.sha256(new byte[0]);
    private final List<JournalRecord> records = new ArrayList<>();

    /** Appends the events (seq after seq, a second apart) and folds the whole history from the empty index. */
    LayerIndex fold(Event... events) {
        for (Event e : events) {
            long seq = records.size() + 1;
            records.add(new JournalRecord(seq, Instant.ofEpochSecond(1000 + seq), Actor.process(), e, ZERO, ZERO));
        }
        return LayerIndex.empty().applyAll(records);
    }

    List<JournalRecord> records() {
        return records;
    }

    static Digest digest(String s) {
        return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
    }
}
