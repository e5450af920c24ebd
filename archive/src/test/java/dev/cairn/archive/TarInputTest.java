package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.CorruptArchiveException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TarInputTest {

    @Test
    void an_empty_input_is_refused_as_gnu_tar_refuses_it() {
        assertThatThrownBy(() -> TarInput.check(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(CorruptArchiveException.class).hasMessageContaining("empty (0 bytes");
    }

    @Test
    void an_uncompressed_input_that_is_no_tar_is_refused_from_its_first_block() {
        byte[] text = "not a tar at all, just text".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> TarInput.check(new ByteArrayInputStream(text)))
                .isInstanceOf(CorruptArchiveException.class).hasMessageContaining("not a tar archive");
    }

    @Test
    void a_tar_or_a_compressed_stream_passes_with_every_byte_still_there() throws IOException {
        byte[] tar = TestTars.tar().file("a", "x").bytes();
        for (byte[] input : new byte[][] {tar, TestTars.gzip(tar), TestTars.zstd(tar), TestTars.gzip(new byte[0])}) {
            assertThat(TarInput.check(new ByteArrayInputStream(input)).readAllBytes()).isEqualTo(input);
        }
    }
}
