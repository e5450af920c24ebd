package dev.cairn.registry;

import java.util.regex.Pattern;

/**
 * A tag in the distribution spec's grammar, {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}: at most 128 characters, never
 * starting with {@code .} or {@code -}, so never {@code .} or {@code ..} and safe as a file name. Tags order
 * "ASCIIbetically" (by UTF-16 code unit, which for this alphabet is byte order), as the tags list must.
 * Immutable and thread-safe.
 */
public record Tag(String value) implements Comparable<Tag> {

    private static final Pattern GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    /** @throws IllegalArgumentException if the text is not a tag */
    public Tag {
        if (!isValid(value)) {
            throw new IllegalArgumentException("not a tag: '" + value + "' (want [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127})");
        }
    }

    /** Whether the text is a tag. */
    public static boolean isValid(String text) {
        return text != null && GRAMMAR.matcher(text).matches();
    }

    @Override
    public int compareTo(Tag o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
