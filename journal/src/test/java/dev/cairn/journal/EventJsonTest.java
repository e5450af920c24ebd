package dev.cairn.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.Compression;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;

import static dev.cairn.journal.SampleEvents.ACTOR;
import static dev.cairn.journal.SampleEvents.digest;
import static dev.cairn.journal.SampleEvents.layer;
import static dev.cairn.journal.SampleEvents.staging;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventJsonTest {

    static List<Event> events() {
        return SampleEvents.everyType();
    }

    @ParameterizedTest
    @MethodSource("events")
    void treeRoundTrip(Event event) {
        assertThat(EventJson.fromJson(event.type(), EventJson.toJson(event))).isEqualTo(event);
    }

    @Test
    void valueTypesAreWrittenAsTheirText() {
        ObjectNode json = EventJson.toJson(new Event.LayerCommitted(layer(1), digest("d"), 5, null, null,
                Compression.GZIP));
        assertThat(json.get("layer").asText()).isEqualTo(layer(1).hex());
        assertThat(json.get("diffDigest").asText()).isEqualTo(digest("d").toString()).startsWith("sha256:");
        assertThat(json.get("compression").asText()).isEqualTo("gzip");
        assertThat(json.get("compressedDigest").isNull()).isTrue();
        assertThat(json.get("diffSize").asLong()).isEqualTo(5);
        assertThat(EventJson.toJson(new Event.StagingCleaned(staging(1))).get("staging").asText())
                .isEqualTo(staging(1).hex());
    }

    @Test
    void aRecordIsOneFlatObject() {
        JournalRecord r = new JournalRecord(3, Instant.parse("2026-01-02T03:04:05Z"), ACTOR,
                new Event.LayerDeleted(layer(1)), RecordCodec.ZERO_HASH, digest("h"));
        ObjectNode json = EventJson.toJson(r);
        assertThat(json.fieldNames()).toIterable()
                .containsExactly("seq", "time", "type", "actor", "layer", "prev", "hash");
        assertThat(json.get("type").asText()).isEqualTo("LayerDeleted");
        assertThat(json.get("time").asText()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(json.get("actor").get("user").asText()).isEqualTo("alice");
    }

    @Test
    void unknownTypesAndFieldsAreRefused() {
        assertThatThrownBy(() -> EventJson.fromJson("NoSuchEvent", EventJson.toJson(new Event.LayerDeleted(layer(1)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown event type");
        ObjectNode extra = EventJson.toJson(new Event.LayerDeleted(layer(1))).put("surprise", 1);
        assertThatThrownBy(() -> EventJson.fromJson("LayerDeleted", extra))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(EventJson.typeNamed("FlagsSet")).isEqualTo(Event.FlagsSet.class);
    }
}
