package dev.cairn.io;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameOutputStreamTest {

    private static final FrameFormat FORMAT = FrameFormatTest.SNAPSHOT;

    /** {@code body} written through a {@link FrameOutputStream}, half as an array, half byte by byte. */
    static byte[] written(FrameFormat format, byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FrameOutputStream frame = format.newOutput(out)) {
            frame.write(body, 0, body.length / 2);
            for (int i = body.length / 2; i < body.length; i++) {
                frame.write(body[i]);
            }
            frame.finish();
            assertThat(frame.length()).isEqualTo(out.size());
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 8192, 100_000})
    void aStreamedFrameIsByteForByteTheWholeFrame(int length) throws IOException {
        byte[] body = new byte[length];
        new Random(length).nextBytes(body);
        assertThat(written(FORMAT, body)).isEqualTo(FORMAT.frame(body));
    }

    @Test
    void aWriterThatNeverFinishesLeavesNoFrame() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FrameOutputStream frame = FORMAT.newOutput(out)) {
            frame.write(new byte[100]);
        }
        assertThatThrownBy(() -> FORMAT.read(out.toByteArray(), () -> "x")).isInstanceOf(CorruptFrameException.class);
        assertThatThrownBy(() -> FORMAT.newInput(new java.io.ByteArrayInputStream(out.toByteArray()), "x").checkFooter()).isInstanceOf(CorruptFrameException.class);
    }

    @Test
    void nothingMayBeWrittenAfterTheFooter() throws IOException {
        FrameOutputStream frame = FORMAT.newOutput(new ByteArrayOutputStream());
        frame.finish();
        assertThatThrownBy(() -> frame.write(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(frame::finish).isInstanceOf(IllegalStateException.class);
    }
}
