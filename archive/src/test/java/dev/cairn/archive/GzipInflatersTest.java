package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.archive.GzipInflaters.Choice;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GzipInflatersTest {

    private static final byte[] PLAIN = IsalGzipInputStreamTest.text(100_000);
    private static final byte[] GZ = TestTars.gzip(PLAIN);

    @Test
    void where_isal_cannot_be_loaded_the_jdk_inflates_the_same_bytes() throws IOException {
        String reason = IsalGzipInputStream.Binding.loadable("libisal-not-installed.so.2");
        assertThat(reason).startsWith("libisal-not-installed.so.2 cannot be loaded (");

        try (InputStream in = GzipInflaters.open(new ByteArrayInputStream(GZ), Choice.AUTO, reason)) {
            assertThat(in).isInstanceOf(GZIPInputStream.class);
            assertThat(in.readAllBytes()).isEqualTo(PLAIN);
        }
        assertThat(GzipInflaters.describe(Choice.AUTO, reason)).isEqualTo("the JDK's zlib (" + reason + ")");
    }

    @Test
    void asking_for_isal_where_it_cannot_be_loaded_is_refused_with_the_reason() {
        assertThatThrownBy(() -> GzipInflaters.open(new ByteArrayInputStream(GZ), Choice.ISAL, "no libisal here"))
                .isInstanceOf(IOException.class).hasMessage("cairn.gzip/CAIRN_GZIP = isal, but no libisal here");
    }

    @Test
    void the_jdk_choice_never_touches_isal() throws IOException {
        try (InputStream in = GzipInflaters.open(new ByteArrayInputStream(GZ), Choice.JDK, null)) {
            assertThat(in).isInstanceOf(GZIPInputStream.class);
            assertThat(in.readAllBytes()).isEqualTo(PLAIN);
        }
    }

    @Test
    void where_isal_is_available_it_is_the_default() throws IOException {
        assumeTrue(IsalGzipInputStream.Binding.available(), IsalGzipInputStream.Binding::unavailableReason);
        try (InputStream in = GzipInflaters.open(new ByteArrayInputStream(GZ), Choice.AUTO, null)) {
            assertThat(in).isInstanceOf(IsalGzipInputStream.class);
            assertThat(in.readAllBytes()).isEqualTo(PLAIN);
        }
        assertThat(GzipInflaters.describe(Choice.AUTO, null)).isEqualTo("ISA-L igzip (libisal.so.2)");
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {"null, AUTO", "auto, AUTO", "'', AUTO", "JDK, JDK", "zlib, JDK",
        "' isal ', ISAL", "igzip, ISAL", "something else, AUTO"})
    void the_switch_reads_case_and_spaces_loosely(String value, Choice expected) {
        assertThat(GzipInflaters.parse(value)).isEqualTo(expected);
    }
}
