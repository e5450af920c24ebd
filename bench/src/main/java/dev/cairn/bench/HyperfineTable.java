package dev.cairn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints hyperfine's JSON exports ({@code --export-json}) as one Markdown table: for each command its median, min
 * and max wall time, mean user and system CPU time, and the ratio of its median to the median of each peer named
 * for its group (a command measured in the same hyperfine call).
 *
 * <p>Arguments: {@code GROUP.json[=PEER[|PEER...]]...}, where a PEER is a command's name as given to hyperfine with
 * {@code -n}; a group without peers gets no ratio.
 */
public final class HyperfineTable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HyperfineTable() {
    }

    record Row(String name, double median, double min, double max, double user, double system, int runs) { }

    public static void main(String[] args) throws IOException {
        System.out.print(table(args));
    }

    /** The table for these arguments, lines ending in {@code \n}. */
    static String table(String... args) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("| command | runs | median s | min s | max s | user s | sys s | ratio (median) |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (String arg : args) {
            int eq = arg.indexOf('=');
            Path file = Path.of(eq < 0 ? arg : arg.substring(0, eq));
            List<String> peers = eq < 0 || eq == arg.length() - 1 ? List.of()
                    : List.of(arg.substring(eq + 1).split("\\|"));
            Map<String, Row> rows = read(file);
            for (Row r : rows.values()) {
                out.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %s |%n",
                        r.name(), r.runs(), r.median(), r.min(), r.max(), r.user(), r.system(),
                        ratios(r, peers, rows)));
            }
        }
        return out.toString();
    }

    private static String ratios(Row r, List<String> peers, Map<String, Row> rows) {
        if (peers.contains(r.name())) {
            return "peer";
        }
        List<String> out = new ArrayList<>();
        for (String p : peers) {
            Row peer = rows.get(p);
            if (peer != null) {
                out.add(String.format(Locale.ROOT, "%.2f× %s", r.median() / peer.median(), p));
            }
        }
        return String.join("; ", out);
    }

    static Map<String, Row> read(Path file) throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (JsonNode r : JSON.readTree(file.toFile()).path("results")) {
            List<Double> times = new ArrayList<>();
            r.path("times").forEach(t -> times.add(t.asDouble()));
            if (times.isEmpty()) {
                continue;
            }
            String name = r.path("command").asText();
            rows.put(name, new Row(name, Stats.median(times), Stats.min(times), Stats.max(times),
                    r.path("user").asDouble(), r.path("system").asDouble(), times.size()));
        }
        return rows;
    }
}
