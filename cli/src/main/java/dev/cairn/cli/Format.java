package dev.cairn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --format}, as podman takes it, in a small subset: {@code json}, or a template of text and
 * {@code {{.Field}}} placeholders, one line per item. {@code \t} and {@code \n} in the template are a tab and a
 * newline, as in podman. Anything else between {@code {{ }}} (functions such as {@code json} or {@code join},
 * {@code range}, pipes) is refused with a message saying what is supported; so is a field the items do not have,
 * with the list of those they have. Immutable.
 */
final class Format {

    /** A placeholder: {@code {{.Name}}} with optional spaces inside the braces. */
    private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*\\.([A-Za-z][A-Za-z0-9]*)\\s*}}");

    private final boolean json;
    /** Literal text and field names, alternating: text, field, text, field, ..., text. */
    private final List<String> parts;

    private Format(boolean json, List<String> parts) {
        this.json = json;
        this.parts = parts;
    }

    /**
     * Parses a {@code --format} value for items with these {@code fields}.
     *
     * @throws IllegalArgumentException with a one-line message naming what is wrong
     */
    static Format parse(String spec, List<String> fields) {
        if (spec.equals("json")) {
            return new Format(true, List.of());
        }
        String template = spec.replace("\\t", "\t").replace("\\n", "\n");
        List<String> parts = new ArrayList<>();
        Matcher m = FIELD.matcher(template);
        int at = 0;
        while (m.find()) {
            String text = template.substring(at, m.start());
            refuseOtherActions(text, fields);
            parts.add(text);
            parts.add(field(m.group(1), fields));
            at = m.end();
        }
        String tail = template.substring(at);
        refuseOtherActions(tail, fields);
        parts.add(tail);
        if (parts.size() == 1) {
            throw new IllegalArgumentException("--format '" + spec + "' names no field: give 'json' or a template "
                    + "such as '{{.ID}} {{.Names}}' (fields: " + String.join(", ", fields) + ")");
        }
        return new Format(false, List.copyOf(parts));
    }

    private static void refuseOtherActions(String text, List<String> fields) {
        int open = text.indexOf("{{");
        if (open >= 0) {
            int close = text.indexOf("}}", open);
            String action = close < 0 ? text.substring(open) : text.substring(open, close + 2);
            throw new IllegalArgumentException("--format: '" + action + "' is not supported: Cairn's templates know "
                    + "only {{.Field}} placeholders (fields: " + String.join(", ", fields)
                    + "); for everything else use --format json");
        }
    }

    private static String field(String name, List<String> fields) {
        if (fields.contains(name)) {
            return name;
        }
        for (String f : fields) {
            if (f.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("--format: no field '." + name + "' (did you mean '." + f
                        + "'?); the fields are " + String.join(", ", fields));
            }
        }
        throw new IllegalArgumentException("--format: no field '." + name + "'; the fields are "
                + String.join(", ", fields));
    }

    /** Whether this is {@code --format json}. */
    boolean json() {
        return json;
    }

    /** One item's line (without the newline), its fields' values filled in. */
    String apply(Map<String, String> values) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            line.append(i % 2 == 0 ? parts.get(i) : values.getOrDefault(parts.get(i), ""));
        }
        return line.toString();
    }
}
