package dev.cairn.journal;

import dev.cairn.model.Event;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.zip.CRC32C;

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

    private static JournalRecord decode(byte[] bytes) throws JournalCorruptedException {
        return RecordCodec.decode(bytes, 7, () -> "test position");
    }

    /** Re-seals bytes with a valid CRC after a deliberate edit. */
    private static byte[] withFreshCrc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }

    @ParameterizedTest
    @MethodSource("events")
    void everyEventTypeRoundTrips(Event event) throws JournalCorruptedException {
        byte[] bytes = RecordCodec.encode(7, TIME, PRINCIPAL, event, digest("prev"));
        JournalRecord r = decode(bytes);
        assertThat(r.seq()).isEqualTo(7);
        assertThat(r.time()).isEqualTo(TIME);
        assertThat(r.actor()).isEqualTo(PRINCIPAL);
        assertThat(r.event()).isEqualTo(event);
        assertThat(r.prev()).isEqualTo(digest("prev"));
        assertThat(r.hash()).isEqualTo(dev.cairn.model.Digest.sha256(bytes));
    }

    @Test
    void layoutStartsWithMagicVersionSeqAndTime() {
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
    void everyFlippedBitIsCaught() {
        byte[] good = RecordCodec.encode(7, TIME, ACTOR, new Event.StagingCleaned(SampleEvents.staging(1)),
                RecordCodec.ZERO_HASH);
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> decode(bad)).as("bit %d", bit).isInstanceOf(JournalCorruptedException.class);
        }
    }

    @Test
    void aBadChecksumNamesBothValues() {
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
    void aNewerFormatVersionIsNamed() {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        bytes[4] = 3;
        assertThatThrownBy(() -> decode(withFreshCrc(bytes))).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("written by a newer Cairn, format version 3");
    }

    @Test
    void aWrongMagicIsNotARecord() {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        bytes[0] = 'X';
        assertThatThrownBy(() -> decode(bytes)).hasMessageContaining("not a Cairn journal record");
    }

    @Test
    void truncatedBytesAreRefused() {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        for (int length : new int[]{0, 3, 5, 40, bytes.length - 1}) {
            byte[] cut = java.util.Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> decode(cut)).as("length %d", length)
                    .isInstanceOf(JournalCorruptedException.class);
        }
    }

    @Test
    void anUnknownEventTypeWithAGoodChecksumIsRefused() {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replace("LayerDeleted", "LayerDeletex");
        byte[] edited = withFreshCrc(text.getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> decode(edited)).hasMessageContaining("unknown event type 'LayerDeletex'");
    }

    @Test
    void anInvalidFieldWithAGoodChecksumIsRefused() {
        byte[] bytes = RecordCodec.encode(7, TIME, ACTOR, new Event.LayerDeleted(SampleEvents.layer(1)),
                RecordCodec.ZERO_HASH);
        String hex = SampleEvents.layer(1).hex();
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replace(hex, hex.toUpperCase());
        byte[] edited = withFreshCrc(text.getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> decode(edited)).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("not a layer id");
    }
}
