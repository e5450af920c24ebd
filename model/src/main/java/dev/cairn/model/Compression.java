package dev.cairn.model;

import java.util.Locale;

/** How the bytes of a layer were compressed as received. Detected from the first bytes, never from a name. */
public enum Compression {
    NONE, GZIP, ZSTD;

    /** The lowercase name used in JSON and on the command line: {@code none}, {@code gzip}, {@code zstd}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Compression ofLabel(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
