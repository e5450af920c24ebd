package dev.cairn.model;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The rule for layer names (DESIGN.md section 2): 1 to 255 bytes of UTF-8, no control characters; and nothing a
 * command line would read as something else: not 64 lowercase hex characters (a layer id), not {@code sha256:...}
 * (an id in digest form), not starting with {@code -} (an option). Names a journal holds from before that last rule
 * are still read; only new names are checked.
 */
public final class LayerNames {

    public static final int MAX_BYTES = 255;

    private LayerNames() {
    }

    /** Returns {@code name} if it is a valid layer name, else throws {@link IllegalArgumentException} naming it. */
    public static String check(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a layer name may not be empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("layer name '" + name + "' is longer than " + MAX_BYTES + " bytes");
        }
        if (LayerId.isValid(name)) {
            throw new IllegalArgumentException("layer name '" + name + "' looks like a layer id (64 hex characters); "
                    + "a name must not, or the id it shadows could not be named");
        }
        if (name.startsWith(Digest.SHA256 + ":")) {
            throw new IllegalArgumentException("layer name '" + name + "' looks like an id in digest form; a name must "
                    + "not start with '" + Digest.SHA256 + ":'");
        }
        if (name.startsWith("-")) {
            throw new IllegalArgumentException("layer name '" + name + "' starts with '-', so a command line would "
                    + "read it as an option");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) && !validSurrogateAt(name, i)) {
                throw new IllegalArgumentException("layer name '" + name.replaceAll("\\p{Cntrl}", "?")
                        + "' has a control or invalid character at index " + i);
            }
        }
        return name;
    }

    /** Checks every name and removes repeats, keeping the first order. */
    public static List<String> checkAll(Collection<String> names) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String n : names) {
            out.add(check(n));
        }
        return List.copyOf(out);
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
