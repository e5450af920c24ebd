package dev.cairn.journal;

import dev.cairn.model.Event;
import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static dev.cairn.journal.SampleEvents.ACTOR;
import static dev.cairn.journal.SampleEvents.PRINCIPAL;
import static dev.cairn.journal.SampleEvents.digest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordCodecTest {

    private static final Instant TIME = Instant.parse("2026-11-29T10:15:30.123456789Z");

    static List<Event> events() {
        return SampleEvents.everyType();
    }

    private static JournalRecord decode(byte[] bytes) throws IOException {
        return RecordCodec.decode(bytes, 7, () -> "test position");
    }

    /** A record as a newer Cairn might write it, with a good checksum: any type name, actor and payload JSON. */
    static byte[] craft(String actorJson, String type, String payloadJson) {
        byte[] actor = actorJson.getBytes(StandardCharsets.UTF_8);
        byte[] name = type.getBytes(StandardCharsets.UTF_8);
        byte[] payload = payloadJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = RecordCodec.FORMAT.begin(8 + 8 + 4 + 4 + actor.length + 2 + name.length + 4 + payload.length
                + 32);
        b.putLong(7).putLong(TIME.getEpochSecond()).putInt(TIME.getNano());
        b.putInt(actor.length).put(actor).putShort((short) name.length).put(name).putInt(payload.length).put(payload);
        b.put(RecordCodec.ZERO_HASH.bytes());
        return RecordCodec.FORMAT.seal(b);
    }

    private static final String ACTOR_JSON = "{\"user\":\"alice\",\"host\":\"h\",\"pid\":1,\"principal\":null,"
            + "\"requestId\":null,\"client\":null}";

    @ParameterizedTest
    @MethodSource("events")
    void everyEventTypeRoundTrips(Event event) throws IOException {
        byte[] bytes = RecordCodec.encode(7, TIME, PRINCIPAL, event, digest("prev"));
        JournalRecord r = decode(bytes);
        assertThat(r.seq()).isEqualTo(7);
        assertThat(r.time()).isEqualTo(TIME);
        assertThat(r.actor()).isEqualTo(PRINCIPAL);
        assertThat(r.event()).isEqualTo(event);
        assertThat(r.prev()).isEqualTo(digest("prev"));
        assertThat(r.hash()).isEqualTo(dev.cairn.model.Digest.sha256(bytes));
    }

    @ParameterizedTest
    @MethodSource("events")
    void sealGivesTheRecordEveryReaderDecodesWithoutDecoding(Event event) throws IOException {
        EncodedRecord sealed = RecordCodec.seal(7, TIME, RecordCodec.prepare(PRINCIPAL, event), digest("prev"));
        assertThat(sealed.record()).isEqualTo(decode(sealed.bytes()));
        assertThat(sealed.bytes()).isEqualTo(RecordCodec.encode(7, TIME, PRINCIPAL, event, digest("prev")));
        if (!(event instanceof Event.FlagsSet)) {
            assertThat(sealed.record().event()).isSameAs(event);
        }
    }

    @Test
    void flagValuesThatDoNotRoundTripComeBackAsReadersReadThem() throws IOException {
        Event written = new Event.FlagsSet(SampleEvents.layer(1), java.util.Map.of("big", 5L, "ratio", 0.5f));
        EncodedRecord sealed = RecordCodec.seal(7, TIME, RecordCodec.prepare(ACTOR, written), RecordCodec.ZERO_HASH);
        assertThat(sealed.record()).isEqualTo(decode(sealed.bytes()));
        assertThat(((Event.FlagsSet) sealed.record().event()).flags()).containsEntry("big", 5).containsEntry("ratio",
                0.5);
    }

    @Test
    void layoutStartsWithMagicVersionSeqAndTime() throws IOException {
        byte[] bytes = RecordCodec.encode(0x0102030405060708L, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("CRNJ");
        assertThat(bytes[4]).isEqualTo((byte) 1);
        assertThat(b.getLong(5)).isEqualTo(0x0102030405060708L);
        assertThat(b.getLong(13)).isEqualTo(TIME.getEpochSecond());
        assertThat(b.getInt(21)).isEqualTo(TIME.getNano());
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text).contains("{\"user\":\"alice\"").contains("LayerDeleted")
                .contains("{\"layer\":\"" + SampleEvents.layer(1).hex() + "\"}");
    }

    @Test
    void everyFlippedBitIsCaught() throws IOException {
        byte[] good = RecordCodec.encode(7, TIME, ACTOR, new Event.StagingCleaned(SampleEvents.staging(1)),
                RecordCodec.ZERO_HASH);
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> decode(bad)).as("bit %d", bit).isInstanceOf(JournalCorruptedException.class);
        }
    }

    @Test
    void aBadChecksumNamesBothValues() throws IOException {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        bytes[40] ^= 0x04;
        assertThatThrownBy(() -> decode(bytes))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> {
                    assertThat(e.seq()).isEqualTo(7);
                    assertThat(e.position()).isEqualTo("test position");
                })
                .hasMessageMatching(".*checksum failed \\(hardware problem\\?\\): stored CRC-32C 0x[0-9a-f]{8}, "
                        + "computed 0x[0-9a-f]{8} over \\d+ bytes");
    }

    @Test
    void aNewerFormatVersionUnderAGoodChecksumIsTooNewNotDamage() throws IOException {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        bytes[4] = 3;
        assertThatThrownBy(() -> decode(JournalEdits.reseal(bytes)))
                .isInstanceOfSatisfying(FormatTooNewException.class, e -> {
                    assertThat(e.seq()).isEqualTo(7);
                    assertThat(e.resource()).isEqualTo("test position");
                    assertThat(e.foundVersion()).isEqualTo(3);
                    assertThat(e.newestVersion()).isEqualTo(1);
                })
                .hasMessageContaining("Cairn journal record seq 7 (test position) is too new: format version 3");
    }

    @Test
    void aNewerFormatVersionUnderABadChecksumIsDamage() throws IOException {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        bytes[4] = 3;
        assertThatThrownBy(() -> decode(bytes)).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("checksum failed");
    }

    @Test
    void aWrongMagicIsNotARecord() throws IOException {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        bytes[0] = 'X';
        assertThatThrownBy(() -> decode(bytes)).hasMessageContaining("not a Cairn journal record");
    }

    @Test
    void truncatedBytesAreRefused() throws IOException {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        for (int length : new int[]{0, 3, 5, 40, bytes.length - 1}) {
            byte[] cut = java.util.Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> decode(cut)).as("length %d", length)
                    .isInstanceOf(JournalCorruptedException.class);
        }
    }

    @Test
    void anUnknownEventTypeWithAGoodChecksumIsTooNew() throws IOException {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replace("LayerDeleted", "LayerDeletex");
        byte[] edited = JournalEdits.reseal(text.getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> decode(edited)).isInstanceOfSatisfying(FormatTooNewException.class, e -> {
            assertThat(e.unknownPart()).isEqualTo("event type 'LayerDeletex'");
            assertThat(e.foundVersion()).isEqualTo(1);
            assertThat(e.seq()).isEqualTo(7);
        }).hasMessageContaining("event type 'LayerDeletex' is unknown to this Cairn");
    }

    @Test
    void anUnknownKeyOfAnEventOrActorWithAGoodChecksumIsTooNew() throws IOException {
        String layer = SampleEvents.layer(1).hex();
        byte[] known = craft(ACTOR_JSON, "LayerDeleted", "{\"layer\":\"" + layer + "\"}");
        assertThat(assertDecodes(known).event()).isEqualTo(new Event.LayerDeleted(SampleEvents.layer(1)));

        byte[] newerEvent = craft(ACTOR_JSON, "LayerDeleted", "{\"layer\":\"" + layer + "\",\"why\":\"gc\"}");
        assertThatThrownBy(() -> decode(newerEvent)).isInstanceOfSatisfying(FormatTooNewException.class,
                e -> assertThat(e.unknownPart()).isEqualTo("key 'why' of a LayerDeleted"));

        byte[] newerActor = craft(ACTOR_JSON.replace("}", ",\"tenant\":\"t1\"}"), "LayerDeleted",
                "{\"layer\":\"" + layer + "\"}");
        assertThatThrownBy(() -> decode(newerActor)).isInstanceOfSatisfying(FormatTooNewException.class,
                e -> assertThat(e.unknownPart()).isEqualTo("key 'tenant' of the actor"));
    }

    @Test
    void aKnownKeyWithAValueOfTheWrongKindIsDamageNotTooNew() throws IOException {
        byte[] wrong = craft(ACTOR_JSON, "LayerDeleted", "{\"layer\":17}");
        assertThatThrownBy(() -> decode(wrong)).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("malformed record despite a good checksum");
    }

    private static JournalRecord assertDecodes(byte[] bytes) {
        try {
            return decode(bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anInvalidFieldWithAGoodChecksumIsRefused() throws IOException {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        String hex = SampleEvents.layer(1).hex();
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replace(hex, hex.toUpperCase());
        byte[] edited = JournalEdits.reseal(text.getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> decode(edited)).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("not a layer id");
    }

    // --- the actor's reason, added after version 1 ---------------------------------------------------------------

    @Test
    void anActorWithAReasonRoundTripsAndOneWithoutIsWrittenAsBeforeReasons() throws IOException {
        dev.cairn.model.Actor why = PRINCIPAL.onBehalfOf("registry-user", "req-17").withReason("push library/alpine:3.20");
        JournalRecord withReason = decode(RecordCodec.encode(7, TIME, why, new Event.LayerDeleted(
                SampleEvents.layer(1)), RecordCodec.ZERO_HASH));
        assertThat(withReason.actor()).isEqualTo(why);

        byte[] without = RecordCodec.encode(7, TIME, PRINCIPAL, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        assertThat(new String(without, StandardCharsets.UTF_8))
                .contains("{\"user\":\"svc\",\"host\":\"host-2\",\"pid\":7,\"principal\":\"registry-user\","
                        + "\"requestId\":\"req-17\"}")
                .doesNotContain("reason");
        assertThat(decode(without).actor().reason()).isNull();
    }

    @Test
    void anActorWrittenBeforeReasonsDecodesWithNone() throws IOException {
        JournalRecord r = decode(craft(ACTOR_JSON, "LayerDeleted", "{\"layer\":\"" + SampleEvents.layer(1).hex()
                + "\"}"));
        assertThat(r.actor()).isEqualTo(new dev.cairn.model.Actor("alice", "h", 1, null, null));
        assertThat(EventJson.toJson(r.actor()).has("reason")).as("shown to people with every key").isTrue();
        assertThat(EventJson.toJson(r.actor()).get("reason").isNull()).isTrue();
    }
}
