package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.ImageRecord;

import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How images are printed (DESIGN.md section 8).
 *
 * <p>JSON: one object per image with the keys {@code id}, {@code names}, {@code digest} (the manifest's,
 * {@code sha256:<hex>}), {@code configDigest}, {@code topLayer} (null for an image without layers), {@code layers}
 * (ids, base first), {@code created} (ISO-8601) and {@code size} (bytes: the layers' uncompressed tars, the manifest
 * and the config, as containers/storage counts it). This key order is a contract.
 *
 * <p>Text: a table with the id abbreviated to 12 characters (as podman does) for {@code images}, {@code key: value}
 * lines with everything in full for one image.
 */
final class ImageView {

    private static final int SHORT_ID = 12;
    private static final String NONE = "-";

    private ImageView() {
    }

    static ObjectNode toJson(ImageRecord i) {
        ObjectNode o = LayerView.Json.MAPPER.createObjectNode();
        o.put("id", i.id().hex());
        ArrayNode names = o.putArray("names");
        i.names().forEach(names::add);
        o.put("digest", i.manifestDigest().toString());
        o.put("configDigest", i.configDigest().toString());
        o.put("topLayer", i.topLayer().map(l -> l.hex()).orElse(null));
        ArrayNode layers = o.putArray("layers");
        i.layers().forEach(l -> layers.add(l.hex()));
        o.put("created", i.created().toString());
        o.put("size", i.size());
        return o;
    }

    /** {@code images --json}: one array. */
    static void printJsonArray(List<ImageRecord> images, PrintStream out) {
        ArrayNode a = LayerView.Json.MAPPER.createArrayNode();
        images.forEach(i -> a.add(toJson(i)));
        out.println(LayerView.pretty(a));
    }

    /** The fields an {@code images --format} template may name. */
    static final List<String> FIELDS = List.of("ID", "Names", "Created", "Size", "Layers", "TopLayer", "Digest",
            "ConfigDigest");
    /** {@link #FIELDS} for help texts (a compile-time constant, as annotations need). */
    static final String FIELD_LIST = "ID, Names, Created, Size, Layers, TopLayer, Digest, ConfigDigest";

    /** An image's id as listings show it: its first 12 characters. */
    static String shortId(ImageRecord i) {
        return i.id().hex().substring(0, SHORT_ID);
    }

    /**
     * An image's {@link #FIELDS} as a {@code --format} template prints them: ids cut to 12 characters unless
     * {@code noTrunc}, names joined by commas, {@code Layers} the count, what is absent empty.
     */
    static Map<String, String> fields(ImageRecord i, boolean noTrunc) {
        Map<String, String> f = new java.util.HashMap<>();
        f.put("ID", noTrunc ? i.id().hex() : shortId(i));
        f.put("Names", String.join(",", i.names()));
        f.put("Created", i.created().toString());
        f.put("Size", Long.toString(i.size()));
        f.put("Layers", Integer.toString(i.layers().size()));
        f.put("TopLayer", i.topLayer().map(l -> noTrunc ? l.hex() : l.hex().substring(0, SHORT_ID)).orElse(""));
        f.put("Digest", i.manifestDigest().toString());
        f.put("ConfigDigest", i.configDigest().toString());
        return f;
    }

    /** {@code images}: a table, one row per image, oldest first; ids whole with {@code noTrunc}. */
    static void printTable(List<ImageRecord> images, PrintStream out, boolean noTrunc) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "CREATED", "SIZE", "LAYERS", "NAMES"});
        for (ImageRecord i : images) {
            rows.add(new String[] {noTrunc ? i.id().hex() : shortId(i),
                    i.created().truncatedTo(ChronoUnit.SECONDS).toString(), Sizes.human(i.size()),
                    Integer.toString(i.layers().size()), i.names().isEmpty() ? NONE : String.join(", ", i.names())});
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < r.length; c++) {
                boolean number = c == 2 || c == 3;
                String fill = " ".repeat(width[c] - r[c].length());
                line.append(c == r.length - 1 ? r[c] : number ? fill + r[c] : r[c] + fill);
                if (c < r.length - 1) {
                    line.append("   ");
                }
            }
            out.println(line);
        }
    }

    /** {@code image inspect}: every field, one {@code key: value} line each, in the JSON order. */
    static void printDetails(ImageRecord i, PrintStream out) {
        ObjectNode o = toJson(i);
        int w = 0;
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            w = Math.max(w, e.getKey().length());
        }
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            String key = e.getKey() + ":";
            JsonNode v = e.getValue();
            String text;
            if (v.isNull()) {
                text = NONE;
            } else if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(n -> items.add(n.asText()));
                text = items.isEmpty() ? NONE : String.join(", ", items);
            } else if (e.getKey().equals("size")) {
                text = v.asLong() + " (" + Sizes.human(v.asLong()) + ")";
            } else {
                text = v.asText();
            }
            out.println(key + " ".repeat(w + 1 - key.length()) + " " + text);
        }
    }
}
