package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BoundedTarInputStreamTest {

    private static final byte[] TAR = TestTars.tar().file("a", "x").file("b", "y").bytes();

    @Test
    void a_valid_archive_reads_through() throws IOException {
        try (BoundedTarInputStream in = BoundedTarInputStream.over(new ByteArrayInputStream(TAR), 1024)) {
            assertThat(in.getNextEntry().getName()).isEqualTo("a");
            assertThat(in.getNextEntry().getName()).isEqualTo("b");
            assertThat(in.getNextEntry()).isNull();
        }
    }

    @Test
    void a_header_with_a_bad_checksum_is_an_error_not_an_entry() throws IOException {
        byte[] bad = TAR.clone();
        bad[1024 + 100] ^= 1; // the second header's mode field
        try (BoundedTarInputStream in = BoundedTarInputStream.over(new ByteArrayInputStream(bad), 1024)) {
            in.getNextEntry();
            assertThatThrownBy(in::getNextEntry).hasMessageContaining("bad checksum")
                    .hasMessageContaining("byte 1024");
        }
    }

    @Test
    void a_header_cut_short_is_an_error_not_the_end() throws IOException {
        try (BoundedTarInputStream in = BoundedTarInputStream.over(
                new ByteArrayInputStream(Arrays.copyOf(TAR, 1024 + 100)), 1024)) {
            in.getNextEntry();
            assertThatThrownBy(in::getNextEntry).isInstanceOf(EOFException.class).hasMessageContaining("100 of 512");
        }
    }

    @Test
    void checksums_are_summed_unsigned_or_signed() {
        byte[] header = Arrays.copyOf(TAR, 512);
        assertThat(BoundedTarInputStream.checksumOk(header)).isTrue();
        header[0] = (byte) 0xe9;
        assertThat(BoundedTarInputStream.checksumOk(header)).isFalse();
        assertThat(BoundedTarInputStream.checksumOk(new byte[512])).isFalse();
    }
}
