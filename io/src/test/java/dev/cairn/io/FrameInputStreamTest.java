package dev.cairn.io;

import dev.cairn.model.FormatTooNewException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


class FrameInputStreamTest {

    private static final FrameFormat FORMAT = FrameFormatTest.SNAPSHOT;

    private static byte[] body(int length) {
        byte[] b = new byte[length];
        new Random(length).nextBytes(b);
        return b;
    }

    /** Reads in small, uneven pieces, as a DataInputStream over it would. */
    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] piece = new byte[7];
        int n;
        while ((n = in.read(piece, 0, piece.length)) >= 0) {
            out.write(piece, 0, n);
        }
        return out.toByteArray();
    }

    private static FrameInputStream open(FrameFormat format, byte[] bytes) throws IOException {
        return format.newInput(new ByteArrayInputStream(bytes), "test-file");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 4, 5, 8191, 8192, 100_000})
    void aStreamedFrameReadsBackItsVersionAndBodyInAnyPieces(int length) throws IOException {
        byte[] body = body(length);
        byte[] bytes = FrameOutputStreamTest.written(FORMAT, body);
        try (FrameInputStream in = open(FORMAT, bytes)) {
            assertThat(in.version()).isEqualTo(2);
            assertThat(readAll(in)).isEqualTo(body);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aFlippedBitInTheBodyFailsTheReadThatReachesTheEnd() throws IOException {
        byte[] bytes = FrameOutputStreamTest.written(FORMAT, body(20_000));
        bytes[15_000] ^= 1;
        try (FrameInputStream in = open(FORMAT, bytes)) {
            assertThatThrownBy(() -> readAll(in)).isInstanceOf(CorruptFrameException.class)
                    .hasMessageContaining("checksum failed (hardware problem?)");
        }
    }

    @Test
    void checkFooterChecksWhatAReaderDidNotRead() throws IOException {
        byte[] bytes = FrameOutputStreamTest.written(FORMAT, body(1000));
        bytes[900] ^= 1;
        try (FrameInputStream in = open(FORMAT, bytes)) {
            assertThat(in.readNBytes(10)).hasSize(10);
            assertThatThrownBy(in::checkFooter).isInstanceOf(CorruptFrameException.class);
        }
    }

    @Test
    void everyTruncationIsDamage() throws IOException {
        byte[] bytes = FrameOutputStreamTest.written(FORMAT, body(40));
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> {
                try (FrameInputStream in = open(FORMAT, cut)) {
                    readAll(in);
                }
            }).as("length %d", length).isInstanceOf(CorruptFrameException.class);
        }
    }

    @Test
    void aNewerVersionIsTooNewAtOpenOnlyIfItsChecksumHolds() throws IOException {
        FrameFormat older = FrameFormat.named("cairn-test-snapshot", 1, 1);
        byte[] bytes = FrameOutputStreamTest.written(FORMAT, body(30_000));
        assertThatThrownBy(() -> open(older, bytes)).isInstanceOfSatisfying(FormatTooNewException.class,
                e -> assertThat(e.foundVersion()).isEqualTo(2));
        bytes[20_000] ^= 1;
        assertThatThrownBy(() -> open(older, bytes)).isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("checksum failed");
    }
}
