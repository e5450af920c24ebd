package dev.cairn.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.Layer;
import dev.cairn.model.LayerId;

import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How layers are printed (DESIGN.md section 8).
 *
 * <p>JSON: one object per layer with the keys {@code id}, {@code parent} (null for a base layer), {@code names},
 * {@code created} (ISO-8601), {@code diffDigest}, {@code diffSize}, {@code compressedDigest},
 * {@code compressedSize}, {@code compression} (each null for an empty layer made without a diff), then
 * {@code metadata}, {@code flags} and {@code chainId} (the OCI chain id). Digests are {@code sha256:<hex>}. This key
 * order is a contract.
 *
 * <p>Text: a table with the id abbreviated to 12 characters (as podman does) for lists, {@code key: value} lines
 * with the full id for one layer. Text is for people; scripts should use {@code --json}.
 */
final class LayerView {

    /**
     * Jackson, made when JSON is first written: a table or a template needs none of it, and its start (a mapper
     * and, with the snapshot's, ~500 classes) was ~0.09 s of a small store's {@code cairn layers}.
     */
    static final class Json {
        /** For plain JSON values (flags) and building nodes. Thread-safe once configured. */
        static final ObjectMapper MAPPER = new ObjectMapper();

        /** Indented output, {@code "key": value}. */
        private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

        private Json() {
        }
    }

    private static final int SHORT_ID = 12;
    private static final String NONE = "-";

    /** The fields of a layer that {@code --format} templates name, podman-style. */
    static final List<String> FIELDS = List.of("ID", "Parent", "Names", "Created", "DiffDigest", "DiffSize",
            "CompressedDigest", "CompressedSize", "Compression", "Metadata");
    /** {@link #FIELDS} for help texts (a compile-time constant, as annotations need). */
    static final String FIELD_LIST = "ID, Parent, Names, Created, DiffDigest, DiffSize, CompressedDigest, "
            + "CompressedSize, Compression, Metadata";

    private LayerView() {
    }

    static ObjectNode toJson(Layer l) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", l.id().hex());
        o.put("parent", l.parent().map(p -> p.hex()).orElse(null));
        ArrayNode names = o.putArray("names");
        l.names().forEach(names::add);
        o.put("created", l.created().toString());
        o.put("diffDigest", l.diffDigest().toString());
        o.put("diffSize", l.diffSize());
        o.put("compressedDigest", l.compressedDigest().map(Object::toString).orElse(null));
        o.put("compressedSize", l.compressedSize().orElse(null));
        o.put("compression", l.compression().map(c -> c.label()).orElse(null));
        o.put("metadata", l.metadata());
        o.set("flags", Json.MAPPER.valueToTree(l.flags()));
        o.put("chainId", l.chainId().toString());
        return o;
    }

    /** Indented JSON text of a node, without a trailing newline. */
    static String pretty(JsonNode node) {
        try {
            return Json.PRETTY.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree did not serialize", e);
        }
    }

    /** {@code layers --json}, {@code replay --json}: one array. */
    static void printJsonArray(List<Layer> layers, PrintStream out) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        layers.forEach(l -> a.add(toJson(l)));
        out.println(pretty(a));
    }

    /** The first 12 characters of an id, as listings show it. */
    static String shortId(LayerId id) {
        return id.hex().substring(0, SHORT_ID);
    }

    /**
     * A layer's {@link #FIELDS} as a {@code --format} template prints them: ids cut to 12 characters unless
     * {@code noTrunc} (as podman's listings do), names joined by commas, what is absent empty.
     */
    static Map<String, String> fields(Layer l, boolean noTrunc) {
        Map<String, String> f = new java.util.HashMap<>();
        f.put("ID", noTrunc ? l.id().hex() : shortId(l.id()));
        f.put("Parent", l.parent().map(p -> noTrunc ? p.hex() : shortId(p)).orElse(""));
        f.put("Names", String.join(",", l.names()));
        f.put("Created", l.created().toString());
        f.put("DiffDigest", l.diffDigest().toString());
        f.put("DiffSize", Long.toString(l.diffSize()));
        f.put("CompressedDigest", l.compressedDigest().map(Object::toString).orElse(""));
        f.put("CompressedSize", l.compressedSize().map(String::valueOf).orElse(""));
        f.put("Compression", l.compression().map(c -> c.label()).orElse(""));
        f.put("Metadata", l.metadata());
        return f;
    }

    /** {@code layers}, {@code replay}: a table, one row per layer, parents before children. */
    static void printTable(List<Layer> layers, PrintStream out, boolean noTrunc) {
        List<String[]> rows = new ArrayList<>(layers.size() + 1);
        rows.add(new String[] {"ID", "PARENT", "CREATED", "SIZE", "NAMES"});
        // Layers made together share their second: each second is formatted once (Instant's format is not cheap).
        long second = Long.MIN_VALUE;
        String created = null;
        for (Layer l : layers) {
            if (l.created().getEpochSecond() != second) {
                second = l.created().getEpochSecond();
                created = l.created().truncatedTo(ChronoUnit.SECONDS).toString();
            }
            rows.add(new String[] {
                    noTrunc ? l.id().hex() : shortId(l.id()),
                    l.parent().isEmpty() ? NONE : noTrunc ? l.parent().get().hex() : shortId(l.parent().get()),
                    created,
                    Sizes.human(l.diffSize()),
                    l.names().isEmpty() ? NONE : String.join(", ", l.names())});
        }
        Table.print(rows, out, 3);
    }

    /** {@code inspect}: every field, one {@code key: value} line each, in the JSON order. */
    static void printDetails(Layer l, PrintStream out) {
        ObjectNode o = toJson(l);
        int w = 0;
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            w = Math.max(w, e.getKey().length());
        }
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            out.println(pad(e.getKey() + ":", w + 1, false) + " " + text(e.getKey(), e.getValue()));
        }
    }

    private static String text(String key, JsonNode v) {
        if (v.isNull()) {
            return NONE;
        }
        if (key.equals("names")) {
            List<String> names = new ArrayList<>();
            v.forEach(n -> names.add(n.asText()));
            return names.isEmpty() ? NONE : String.join(", ", names);
        }
        if (key.equals("diffSize") || key.equals("compressedSize")) {
            return v.asLong() + " (" + Sizes.human(v.asLong()) + ")";
        }
        if (v.isTextual()) {
            return v.asText();
        }
        return v.toString();
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }
}
