package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StagingInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code cairn stagings}: every staging that is not cleaned up, with its state and owner. */
@Command(name = "stagings", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Lists the stagings not yet cleaned up, with their state and owner.",
                "Oldest first; their state (staging: a live process "
                + "is extracting it; abandoned: its process died, recovery discards it; staged: finished, waiting for "
                + "'cairn apply'; applied: its remains wait for 'cairn cleanup'), size, layer and owner.",
                "With --json: an array of objects with the keys id, state, started, staged, diffDigest, diffSize, "
                        + "layer, ownerPid, ownerHost, ownerAlive."})
final class StagingsCommand extends StoreCommand {

    @Option(names = "--json", description = "Print a JSON array of staging objects.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print only the staging ids, one per line (whole: 'cairn apply' "
            + "takes them).")
    boolean quiet;

    @Option(names = "--no-trunc", description = "Print ids whole instead of their first 12 characters.")
    boolean noTrunc;

    @Override
    public Integer call() throws Exception {
        List<StagingInfo> stagings;
        try (LayerStore store = openForReading()) {
            stagings = store.stagings();
        }
        if (quiet) {
            stagings.forEach(s -> out().println(s.id().hex()));
        } else if (json) {
            ArrayNode a = LayerView.Json.MAPPER.createArrayNode();
            stagings.forEach(s -> a.add(toJson(s)));
            out().println(LayerView.pretty(a));
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "STATE", "STARTED", "SIZE", "LAYER", "OWNER"});
            for (StagingInfo s : stagings) {
                rows.add(new String[] {noTrunc ? s.id().hex() : s.id().hex().substring(0, 12), state(s),
                        s.started().truncatedTo(ChronoUnit.SECONDS).toString(),
                        s.staged().isPresent() ? Sizes.human(s.diffSize()) : "-",
                        s.layer().map(l -> noTrunc ? l.hex() : l.hex().substring(0, 12)).orElse("-"),
                        "process " + s.ownerPid() + " on " + s.ownerHost() + liveness(s)});
            }
            Table.print(rows, out(), 3);
        }
        return Main.OK;
    }

    /** Whether the owner still works on it: said only while that matters (an unfinished staging). */
    private static String liveness(StagingInfo s) {
        return switch (s.state()) {
            case STAGING -> " (alive)";
            case ABANDONED -> " (dead)";
            case STAGED, APPLIED -> "";
        };
    }

    private static String state(StagingInfo s) {
        return s.state().name().toLowerCase(Locale.ROOT);
    }

    private static ObjectNode toJson(StagingInfo s) {
        ObjectNode o = LayerView.Json.MAPPER.createObjectNode();
        o.put("id", s.id().hex());
        o.put("state", state(s));
        o.put("started", s.started().toString());
        o.put("staged", s.staged().map(Object::toString).orElse(null));
        o.put("diffDigest", s.diffDigest().map(Object::toString).orElse(null));
        o.put("diffSize", s.diffSize());
        o.put("layer", s.layer().map(l -> l.hex()).orElse(null));
        o.put("ownerPid", s.ownerPid());
        o.put("ownerHost", s.ownerHost());
        o.put("ownerAlive", s.ownerAlive());
        return o;
    }
}
