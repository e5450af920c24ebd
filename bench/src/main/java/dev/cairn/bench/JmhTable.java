package dev.cairn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints the JMH results of {@link JournalAppendBenchmark} (JMH's {@code -rf json} file) as a Markdown table: the
 * median of the measurement iterations for each journal length, thread count and journal, and the ratio to the
 * in-memory peer of the same run. Usage: {@code JmhTable results.json [label=target ...]}.
 */
public final class JmhTable {

    private JmhTable() {
    }

    public static void main(String[] args) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Path.of(args[0]).toFile());
        Map<String, String> labels = new TreeMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            labels.put(kv[1], kv[0]);
        }
        // (records, threads) -> target -> median ops/s
        Map<List<Integer>, Map<String, Double>> scores = new TreeMap<>(
                java.util.Comparator.<List<Integer>>comparingInt(k -> k.get(0)).thenComparingInt(k -> k.get(1)));
        List<String> targets = new ArrayList<>();
        for (JsonNode run : root) {
            int threads = run.get("threads").asInt();
            JsonNode records = run.get("params").get("records");
            int length = records == null ? 0 : records.asInt();
            String target = run.get("params").get("target").asText();
            if (!targets.contains(target)) {
                targets.add(target);
            }
            List<Double> raw = new ArrayList<>();
            for (JsonNode fork : run.get("primaryMetric").get("rawData")) {
                fork.forEach(v -> raw.add(v.asDouble()));
            }
            scores.computeIfAbsent(List.of(length, threads), t -> new TreeMap<>()).put(target, Stats.median(raw));
        }
        targets.remove("memory");
        targets.add(0, "memory");
        StringBuilder head = new StringBuilder("| records before | threads |");
        StringBuilder rule = new StringBuilder("|---:|---:|");
        for (String t : targets) {
            head.append(' ').append(name(t, labels)).append(" appends/s |");
            rule.append("---:|");
        }
        System.out.println(head);
        System.out.println(rule);
        for (var row : scores.entrySet()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "| %,d | %d |", row.getKey().get(0),
                    row.getKey().get(1)));
            double peer = row.getValue().getOrDefault("memory", Double.NaN);
            for (String t : targets) {
                Double v = row.getValue().get(t);
                if (v == null) {
                    line.append(" – |");
                } else if (t.equals("memory")) {
                    line.append(String.format(Locale.ROOT, " %,.0f (peer) |", v));
                } else {
                    line.append(String.format(Locale.ROOT, " %,.0f (%.3f× peer) |", v, v / peer));
                }
            }
            System.out.println(line);
        }
    }

    private static String name(String target, Map<String, String> labels) {
        if (target.equals("memory")) {
            return "InMemoryJournal";
        }
        return "Chronicle on " + labels.getOrDefault(target, target);
    }
}
