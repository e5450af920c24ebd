package dev.cairn.cli;

import java.util.Locale;

/** Byte counts for people: {@code 512 B}, {@code 1.5 KiB}, {@code 27.0 MiB}. */
final class Sizes {

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Sizes() {
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = 0;
        long divisor = 1;
        while (unit < UNITS.length - 1 && bytes / divisor >= 1024) {
            divisor <<= 10;
            unit++;
        }
        if (unit >= 6) {   // EiB: the remainder's arithmetic below would overflow
            return String.format(Locale.ROOT, "%.1f %s", (double) bytes / divisor, UNITS[unit]);
        }
        // bytes / divisor to one decimal, half up (as %.1f rounds), in integers: a listing prints many.
        long tenths = bytes / divisor * 10 + (bytes % divisor * 20 + divisor) / (2 * divisor);
        return (tenths / 10) + "." + (tenths % 10) + " " + UNITS[unit];
    }
}
