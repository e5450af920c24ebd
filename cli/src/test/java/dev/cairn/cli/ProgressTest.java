package dev.cairn.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress line: drawn on a terminal only, redrawn in place, ended with a newline. */
class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String drawn() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aKnownTotalGetsABarAPercentageAndARate() throws Exception {
        try (Progress p = Progress.start(true, err, "diff abc", Progress.Unit.BYTES, OptionalLong.of(4096))) {
            Thread.sleep(Progress.INTERVAL_MILLIS + 20);
            p.accept(2048);
        }

        assertThat(drawn()).startsWith("\rdiff abc  [############............]  50%  2.0 KiB / 4.0 KiB  ")
                .contains("/s").endsWith("\n");
    }

    @Test
    void entriesAreCountedAndTheTotalMayComeWithTheReport() throws Exception {
        try (Progress p = Progress.start(true, err, "checkout abc", Progress.Unit.ENTRIES, OptionalLong.empty())) {
            Thread.sleep(Progress.INTERVAL_MILLIS + 20);
            p.progress(10, 40);
        }

        assertThat(drawn()).contains("checkout abc  [######..................]  25%  10 entries / 40 entries")
                .doesNotContain("/s").endsWith("\n");
    }

    @Test
    void workDoneSoonerDrawsNothing() {
        try (Progress p = Progress.start(true, err, "import x", Progress.Unit.BYTES, OptionalLong.of(10))) {
            p.accept(10);
        }

        assertThat(drawn()).isEmpty();
    }

    @Test
    void offATerminalNothingIsEverDrawn() throws Exception {
        try (Progress p = Progress.start(false, err, "diff abc", Progress.Unit.BYTES, OptionalLong.of(4096))) {
            Thread.sleep(Progress.INTERVAL_MILLIS + 20);
            p.accept(2048);
        }

        assertThat(drawn()).isEmpty();
    }
}
