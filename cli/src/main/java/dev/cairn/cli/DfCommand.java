package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.store.DiskUsage;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code cairn df}: the store's disk use by area, as {@code podman system df} shows it. */
@Command(name = "df", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Shows the store's disk use, and what 'cairn prune' would reclaim.",
                "For layers, stagings, trash, journal and snapshots: how many "
                + "there are, their size, and what 'cairn prune' would reclaim now (dead processes' work, files no "
                + "journal event accounts for, finished stagings older than the age given).",
                "With --json: an array of objects with the keys area, count, bytes, reclaimableCount, "
                        + "reclaimableBytes."})
final class DfCommand extends StoreCommand {

    @Option(names = "--json", description = "Print a JSON array, one object per area.")
    boolean json;

    @Option(names = "--stagings-older-than", paramLabel = "AGE", converter = Durations.class,
            description = "Count finished stagings older than AGE (e.g. 12h, 3d; 0 for all) as reclaimable, as "
                    + "'cairn prune' with the same option would (default: " + Durations.DEFAULT_STAGING_AGE + ").")
    java.time.Duration stagingAge;

    @Override
    public Integer call() throws Exception {
        DiskUsage usage;
        try (LayerStore store = openForReading(Durations.options(stagingAge))) {
            usage = store.diskUsage();
        }
        if (json) {
            ArrayNode a = LayerView.Json.MAPPER.createArrayNode();
            for (DiskUsage.Area area : usage.areas()) {
                ObjectNode o = a.addObject();
                o.put("area", area.name());
                o.put("count", area.count());
                o.put("bytes", area.bytes());
                o.put("reclaimableCount", area.reclaimableCount());
                o.put("reclaimableBytes", area.reclaimableBytes());
            }
            out().println(LayerView.pretty(a));
            return Main.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"AREA", "COUNT", "SIZE", "RECLAIMABLE"});
        for (DiskUsage.Area area : usage.areas()) {
            rows.add(new String[] {area.name(), Long.toString(area.count()), Sizes.human(area.bytes()),
                    Sizes.human(area.reclaimableBytes()) + " (" + percent(area.reclaimableBytes(), area.bytes())
                            + (area.reclaimableCount() > 0 ? ", " + area.reclaimableCount() : "") + ")"});
        }
        rows.add(new String[] {"total", "", Sizes.human(usage.totalBytes()), Sizes.human(usage.reclaimableBytes())
                + " (" + percent(usage.reclaimableBytes(), usage.totalBytes()) + ")"});
        Table.print(rows, out(), -1);
        return Main.OK;
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "0%" : String.format(Locale.ROOT, "%d%%", Math.round(100.0 * part / whole));
    }
}
