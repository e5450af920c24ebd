package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.model.Compression;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CompressionSnifferTest {

    @Test
    void magic_bytes_name_the_compression() {
        assertThat(CompressionSniffer.detect(new byte[] {0x1f, (byte) 0x8b, 8, 0})).isEqualTo(Compression.GZIP);
        assertThat(CompressionSniffer.detect(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}))
                .isEqualTo(Compression.ZSTD);
        assertThat(CompressionSniffer.detect(new byte[] {'a', 'b'})).isEqualTo(Compression.NONE);
        assertThat(CompressionSniffer.detect(new byte[0])).isEqualTo(Compression.NONE);
    }

    @Test
    void a_real_header_and_an_end_block_are_tar() {
        byte[] tar = TestTars.tar().file("a", "x").bytes();

        assertThat(CompressionSniffer.whyNotTar(tar, 512)).isNull();
        assertThat(CompressionSniffer.whyNotTar(new byte[512], 512)).isNull();
        assertThat(CompressionSniffer.whyNotTar(new byte[512], 0)).isNull();
    }

    @Test
    void other_data_is_described() {
        byte[] xz = Arrays.copyOf(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}, 512);

        assertThat(CompressionSniffer.whyNotTar(xz, 512)).contains("xz");
        assertThat(CompressionSniffer.whyNotTar("BZh9".getBytes(), 4)).contains("bzip2").contains("4 bytes");
    }
}
