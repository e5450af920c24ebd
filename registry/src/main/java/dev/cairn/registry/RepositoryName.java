package dev.cairn.registry;

import java.util.regex.Pattern;

/**
 * A repository's name in the distribution spec's grammar: path components of lowercase letters and digits, joined
 * inside a component by {@code .}, {@code _}, {@code __} or runs of {@code -}, and by {@code /} between components;
 * at most {@value #MAX_LENGTH} characters (clients limit host, slash and name together to 255).
 *
 * <p>The grammar is what makes a name safe as a relative path: no component is empty, {@code .} or {@code ..}, none
 * starts with {@code _} (so backends may keep {@code _}-prefixed entries of their own beside components), and no
 * character needs escaping in a URL. Immutable and thread-safe.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {

    /** The longest name accepted: 255 less the room a host and port usually take. */
    public static final int MAX_LENGTH = 200;

    private static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    private static final Pattern GRAMMAR = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");

    /** @throws IllegalArgumentException if the text is not a repository name */
    public RepositoryName {
        if (!isValid(value)) {
            throw new IllegalArgumentException("not a repository name: '" + value + "' (want lowercase path"
                    + " components like library/debian, at most " + MAX_LENGTH + " characters)");
        }
    }

    /** Whether the text is a repository name. */
    public static boolean isValid(String text) {
        return text != null && !text.isEmpty() && text.length() <= MAX_LENGTH && GRAMMAR.matcher(text).matches();
    }

    @Override
    public int compareTo(RepositoryName o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
