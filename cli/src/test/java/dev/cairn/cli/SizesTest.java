package dev.cairn.cli;

import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SizesTest {

    /** What {@link Sizes#human} printed with {@code String.format} before it was made cheap: it must print the same. */
    private static String formatted(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        if (bytes < 1024) {
            return bytes + " B";
        }
        double v = bytes;
        int unit = 0;
        while (v >= 1024 && unit < units.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[unit]);
    }

    @Test
    void sizesArePrintedToOneDecimalRoundedHalfUpInTheLargestUnitBelow1024() {
        assertThat(Sizes.human(0)).isEqualTo("0 B");
        assertThat(Sizes.human(1023)).isEqualTo("1023 B");
        assertThat(Sizes.human(1024)).isEqualTo("1.0 KiB");
        assertThat(Sizes.human(1536)).isEqualTo("1.5 KiB");
        assertThat(Sizes.human(1024 * 1024 - 1)).isEqualTo("1024.0 KiB");
        assertThat(Sizes.human(27L << 20)).isEqualTo("27.0 MiB");
        assertThat(Sizes.human(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }

    @Test
    void everySizeIsPrintedAsTheFormatterPrintsIt() {
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            long bytes = random.nextLong() >>> random.nextInt(64);
            assertThat(Sizes.human(bytes)).as("%d", bytes).isEqualTo(formatted(bytes));
        }
        for (int shift = 10; shift < 63; shift++) {
            for (long d = -3; d <= 3; d++) {
                long bytes = (1L << shift) + d * ((1L << shift) / 20);   // around each unit and its half-tenths
                assertThat(Sizes.human(bytes)).as("%d", bytes).isEqualTo(formatted(bytes));
            }
        }
    }
}
