package dev.cairn.archive;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.Compression;
import dev.cairn.model.CorruptArchiveException;
import dev.cairn.model.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TarStreamPumpTest {

    @Test
    void concatenated_gzip_members_are_one_stream_and_every_raw_byte_is_hashed() throws IOException {
        byte[] one = new byte[3 * TarStreamPump.BUFFER_SIZE + 17];
        new Random(3).nextBytes(one);
        byte[] two = {1, 2, 3};
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.write(TestTars.gzip(one));
        raw.write(TestTars.gzip(two));
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        plain.write(one);
        plain.write(two);

        try (TarStreamPump pump = TarStreamPump.start(new ByteArrayInputStream(raw.toByteArray()), Long.MAX_VALUE)) {
            byte[] out = pump.tarStream().readAllBytes();

            assertThat(pump.compression()).isEqualTo(Compression.GZIP);
            assertThat(out).isEqualTo(plain.toByteArray());
            assertThat(pump.diffDigest()).isEqualTo(Digest.sha256(plain.toByteArray()));
            assertThat(pump.compressedDigest()).isEqualTo(Digest.sha256(raw.toByteArray()));
            assertThat(pump.compressedSize()).isEqualTo(raw.size());
        }
    }

    @Test
    void closing_early_stops_the_reader_thread() throws IOException {
        byte[] big = new byte[20 * TarStreamPump.BUFFER_SIZE];
        TarStreamPump pump = TarStreamPump.start(new ByteArrayInputStream(big), Long.MAX_VALUE);
        assertThat(pump.tarStream().read(new byte[10])).isEqualTo(10);

        pump.close();

        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("cairn-extract-reader")
                && t.isAlive());
    }

    @ParameterizedTest(name = "cairn.gzip={0}")
    @ValueSource(strings = {"jdk", "auto"})
    void both_inflaters_give_the_same_digests_and_the_same_refusal(String inflater) throws IOException {
        byte[] plain = IsalGzipInputStreamTest.text(3 * TarStreamPump.BUFFER_SIZE);
        byte[] raw = IsalGzipInputStreamTest.concat(TestTars.gzip(plain), "trailing".getBytes(UTF_8));
        byte[] corrupt = TestTars.gzip(plain);
        corrupt[corrupt.length - 6] ^= 1;
        String before = System.getProperty(GzipInflaters.PROPERTY);
        System.setProperty(GzipInflaters.PROPERTY, inflater);
        try (TarStreamPump pump = TarStreamPump.start(new ByteArrayInputStream(raw), Long.MAX_VALUE);
             TarStreamPump bad = TarStreamPump.start(new ByteArrayInputStream(corrupt), Long.MAX_VALUE)) {
            assertThat(pump.tarStream().readAllBytes()).isEqualTo(plain);
            assertThat(pump.diffDigest()).isEqualTo(Digest.sha256(plain));
            assertThat(pump.compressedDigest()).isEqualTo(Digest.sha256(raw));
            assertThat(pump.compressedSize()).isEqualTo(raw.length);
            assertThatThrownBy(() -> bad.tarStream().readAllBytes()).isInstanceOf(CorruptArchiveException.class)
                    .hasMessageStartingWith("the gzip stream is corrupt at byte");
        } finally {
            if (before == null) {
                System.clearProperty(GzipInflaters.PROPERTY);
            } else {
                System.setProperty(GzipInflaters.PROPERTY, before);
            }
        }
    }
}
