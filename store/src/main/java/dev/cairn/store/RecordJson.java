package dev.cairn.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.journal.EventJson;
import dev.cairn.model.JournalRecord;

/**
 * Journal records as JSON, the way {@code cairn log --json} prints them: one flat object with {@code seq},
 * {@code time}, {@code type}, {@code actor}, the event's own fields ({@code layer} for the layer id where there is
 * one), {@code prev} and {@code hash}. The same mapping the journal stores payloads with. Thread-safe.
 */
public final class RecordJson {

    private RecordJson() {
    }

    public static ObjectNode toJson(JournalRecord record) {
        return EventJson.toJson(record);
    }
}
