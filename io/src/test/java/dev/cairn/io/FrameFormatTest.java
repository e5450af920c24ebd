package dev.cairn.io;

import dev.cairn.model.FormatTooNewException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameFormatTest {

    static final FrameFormat SNAPSHOT = FrameFormat.named("cairn-test-snapshot", 1, 2);
    static final FrameFormat RECORD = FrameFormat.compact("test record", 0x43524E54, 1, 1);
    static final byte[] BODY = "the body".getBytes(StandardCharsets.US_ASCII);

    static List<FrameFormat> formats() {
        return List.of(SNAPSHOT, RECORD);
    }

    private static String where() {
        return "test-file";
    }

    /** Re-seals bytes with a valid CRC after a deliberate edit. */
    static byte[] withFreshCrc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }

    static byte[] bodyOf(FrameFormat.Frame frame) {
        byte[] out = new byte[frame.body().remaining()];
        frame.body().duplicate().get(out);
        return out;
    }

    @Test
    void aNamedFrameIsTheFileMagicTheNameTheVersionTheBodyAndACrc32c() {
        byte[] frame = SNAPSHOT.frame(BODY);
        String hex = HexFormat.of().formatHex(frame);
        assertThat(hex).startsWith("c41b7a52" + "13" + HexFormat.of().formatHex("cairn-test-snapshot".getBytes(
                StandardCharsets.US_ASCII)) + "00000002" + HexFormat.of().formatHex(BODY));
        CRC32C crc = new CRC32C();
        crc.update(frame, 0, frame.length - 4);
        assertThat(ByteBuffer.wrap(frame).getInt(frame.length - 4)).isEqualTo((int) crc.getValue());
        assertThat(frame).hasSize(SNAPSHOT.overhead() + BODY.length);
        assertThat(SNAPSHOT.headerLength()).isEqualTo(4 + 1 + 19 + 4);
    }

    @Test
    void aCompactFrameIsTheFormatsMagicAOneByteVersionTheBodyAndACrc32c() {
        byte[] frame = RECORD.frame(BODY);
        assertThat(HexFormat.of().formatHex(frame, 0, 5)).isEqualTo("43524e5401");
        assertThat(Arrays.copyOfRange(frame, 5, 5 + BODY.length)).isEqualTo(BODY);
        assertThat(RECORD.overhead()).isEqualTo(9);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void aFrameReadsBackItsVersionAndBody(FrameFormat format) throws Exception {
        FrameFormat.Frame frame = format.read(format.frame(BODY), FrameFormatTest::where);
        assertThat(frame.version()).isEqualTo(format.newestVersion());
        assertThat(bodyOf(frame)).isEqualTo(BODY);
        assertThat(frame.body().isReadOnly()).isTrue();
        assertThat(format.read(format.frame(new byte[0]), FrameFormatTest::where).body().remaining()).isZero();
    }

    @Test
    void beginAndSealBuildAFrameInPlaceAndSealRefusesABodyOfTheWrongLength() throws Exception {
        ByteBuffer b = RECORD.begin(3);
        b.put((byte) 1).put((byte) 2);
        assertThatThrownBy(() -> RECORD.seal(b)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("body ends at 7, not at 8");
        b.put((byte) 3);
        assertThat(bodyOf(RECORD.read(RECORD.seal(b), FrameFormatTest::where))).containsExactly(1, 2, 3);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void everyFlippedBitIsDamageNeverTooNew(FrameFormat format) {
        byte[] good = format.frame(BODY);
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> format.read(bad, FrameFormatTest::where)).as("bit %d", bit)
                    .isInstanceOf(CorruptFrameException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void everyTruncationIsDamage(FrameFormat format) {
        byte[] good = format.frame(BODY);
        for (int length = 0; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> format.read(cut, FrameFormatTest::where)).as("length %d", length)
                    .isInstanceOf(CorruptFrameException.class);
        }
    }

    @Test
    void aFailedChecksumSaysHardwareProblemWithBothValuesAndTheResource() {
        byte[] frame = RECORD.frame(BODY);
        frame[7] ^= 0x10;
        assertThatThrownBy(() -> RECORD.read(frame, FrameFormatTest::where))
                .isInstanceOfSatisfying(CorruptFrameException.class, e -> {
                    assertThat(e.resource()).isEqualTo("test-file");
                    assertThat(e.reason()).matches("checksum failed \\(hardware problem\\?\\): stored CRC-32C "
                            + "0x[0-9a-f]{8}, computed 0x[0-9a-f]{8} over 13 bytes");
                })
                .hasMessageStartingWith("test-file: checksum failed (hardware problem?)");
    }

    @Test
    void aNewerVersionUnderAGoodChecksumIsTooNewWithBothVersions() {
        byte[] written = SNAPSHOT.frame(BODY);
        FrameFormat older = FrameFormat.named("cairn-test-snapshot", 1, 1);
        assertThatThrownBy(() -> older.read(written, FrameFormatTest::where))
                .isInstanceOfSatisfying(FormatTooNewException.class, e -> {
                    assertThat(e.resource()).isEqualTo("test-file");
                    assertThat(e.format()).isEqualTo("cairn-test-snapshot");
                    assertThat(e.foundVersion()).isEqualTo(2);
                    assertThat(e.newestVersion()).isEqualTo(1);
                    assertThat(e.unknownPart()).isNull();
                })
                .hasMessageContaining("too new").hasMessageContaining("format version 2")
                .hasMessageContaining("versions up to 1");

        byte[] record = RECORD.frame(BODY);
        record[4] = 9;
        assertThatThrownBy(() -> RECORD.read(withFreshCrc(record), FrameFormatTest::where))
                .isInstanceOf(FormatTooNewException.class).hasMessageContaining("format version 9");
    }

    @Test
    void aVersionBelowTheOldestIsDamage() {
        byte[] record = RECORD.frame(BODY);
        record[4] = 0;
        assertThatThrownBy(() -> RECORD.read(withFreshCrc(record), FrameFormatTest::where))
                .isInstanceOf(CorruptFrameException.class).hasMessageContaining("test record format version 0, which no Cairn writes");
    }

    @Test
    void anotherFormatIsNamedAsSuch() {
        byte[] tarRecord = FrameFormat.named("cairn-tar-record", 1, 1).frame(BODY);
        assertThatThrownBy(() -> SNAPSHOT.read(tarRecord, FrameFormatTest::where))
                .isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("a 'cairn-tar-record', not a cairn-test-snapshot");
        assertThatThrownBy(() -> RECORD.read(tarRecord, FrameFormatTest::where))
                .isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("not a test record: magic 0xc41b7a52, expected 0x43524e54");
    }

    @Test
    void formatsAreCheckedWhenMade() {
        assertThatThrownBy(() -> FrameFormat.named("", 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FrameFormat.named("ünï", 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FrameFormat.named("x", 2, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FrameFormat.compact("x", 1, 1, 256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FrameFormat.compact("x", FrameFormat.FILE_MAGIC, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
