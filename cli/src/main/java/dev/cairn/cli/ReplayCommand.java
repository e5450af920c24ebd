package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.Layer;
import dev.cairn.store.IndexChanges;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code cairn replay}: the layer index as it was at an earlier point of the journal ({@code --until}), or what
 * changed in it between two points ({@code --from}/{@code --to}): the basic step of debugging by replay.
 *
 * <p>{@code --from A --to B} prints one line per change, {@code +} added, {@code -} removed, {@code ~} renamed or a
 * staging's state changed; {@code --json} one object: {@code from}, {@code to} (the seqs), {@code layersAdded},
 * {@code layersRemoved} (layer objects as {@code layers --json}), {@code layersRenamed} ({@code id}, {@code before},
 * {@code after}), {@code stagings} ({@code id}, {@code before}, {@code after}: {@code started}, {@code staged},
 * {@code applied} or null), {@code imagesAdded}, {@code imagesRemoved} (image objects as {@code images --json}),
 * {@code imagesRenamed}.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Lists the layers (or with --images the images) as they were right after journal record SEQ "
                + "(see 'cairn log') or at a time; or, with --from and --to, what changed between two points: layers "
                + "and images added, removed and renamed, stagings started, finished, applied and cleaned up.",
                "A TIME (RFC 3339, e.g. 2026-12-02T01:30:00Z) names the last record appended at or before it."})
final class ReplayCommand extends StoreCommand {

    @Mixin
    ArchiveFiles archives;

    @Option(names = "--until", paramLabel = "SEQ|TIME", converter = JournalPoint.Converter.class,
            description = "The last record to replay; 0 is the empty store.")
    JournalPoint until;

    @Option(names = "--from", paramLabel = "SEQ|TIME", converter = JournalPoint.Converter.class,
            description = "With --to: the earlier point to compare (0 is the empty store).")
    JournalPoint from;

    @Option(names = "--to", paramLabel = "SEQ|TIME", converter = JournalPoint.Converter.class,
            description = "With --from: the later point to compare.")
    JournalPoint to;

    @Option(names = "--images", description = "List the images instead of the layers (with --until).")
    boolean images;

    @Mixin
    ListingOptions listing;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (until != null && (from != null || to != null)) {
            throw new ParameterException(spec.commandLine(), "--until cannot be combined with --from and --to");
        }
        if (until == null && (from == null || to == null)) {
            throw new ParameterException(spec.commandLine(), from == null && to == null
                    ? "missing --until SEQ|TIME, or --from and --to" : "--from and --to go together");
        }
        if (until == null) {
            if (images || listing.quiet || listing.format != null || listing.noTrunc) {
                throw new ParameterException(spec.commandLine(),
                        "--from and --to print changes: only --json changes how (not --images, -q, --format, --no-trunc)");
            }
            IndexChanges changes;
            try (LayerStore opened = openForReading()) {
                LayerStore store = archives.over(opened);
                long a = from.seqIn(store);
                long b = to.seqIn(store);
                if (a > b) {
                    throw new ParameterException(spec.commandLine(), "--from " + from + " (seq " + a
                            + ") comes after --to " + to + " (seq " + b + ")");
                }
                changes = store.changesBetween(a, b);
            }
            if (listing.json) {
                out().println(LayerView.pretty(toJson(changes)));
            } else {
                printChanges(changes, out());
            }
            return Main.OK;
        }
        if (images) {
            List<ImageRecord> asOf;
            try (LayerStore opened = openForReading()) {
                LayerStore store = archives.over(opened);
                asOf = store.imagesAsOf(until.seqIn(store));
            }
            if (listing.quiet) {
                asOf.forEach(i -> out().println(i.id().hex()));
            } else if (listing.json || "json".equals(listing.format)) {
                ImageView.printJsonArray(asOf, out());
            } else {
                ImageView.printTable(asOf, out(), listing.noTrunc);
            }
            return Main.OK;
        }
        List<Layer> layers;
        try (LayerStore opened = openForReading()) {
            LayerStore store = archives.over(opened);
            layers = store.layersAsOf(until.seqIn(store));
        }
        listing.print(layers, out());
        return Main.OK;
    }

    static ObjectNode toJson(IndexChanges c) {
        ObjectNode o = LayerView.Json.MAPPER.createObjectNode();
        o.put("from", c.fromSeq());
        o.put("to", c.toSeq());
        ArrayNode added = o.putArray("layersAdded");
        c.layersAdded().forEach(l -> added.add(LayerView.toJson(l)));
        ArrayNode removed = o.putArray("layersRemoved");
        c.layersRemoved().forEach(l -> removed.add(LayerView.toJson(l)));
        ArrayNode renamed = o.putArray("layersRenamed");
        c.layersRenamed().forEach(r -> renamed.add(renamedJson(r.id().hex(), r.before(), r.after())));
        ArrayNode stagings = o.putArray("stagings");
        for (IndexChanges.StagingChange s : c.stagings()) {
            ObjectNode n = stagings.addObject();
            n.put("id", s.id().hex());
            n.put("before", s.before());
            n.put("after", s.after());
        }
        ArrayNode imagesAdded = o.putArray("imagesAdded");
        c.imagesAdded().forEach(i -> imagesAdded.add(ImageView.toJson(i)));
        ArrayNode imagesRemoved = o.putArray("imagesRemoved");
        c.imagesRemoved().forEach(i -> imagesRemoved.add(ImageView.toJson(i)));
        ArrayNode imagesRenamed = o.putArray("imagesRenamed");
        c.imagesRenamed().forEach(r -> imagesRenamed.add(renamedJson(r.id().hex(), r.before(), r.after())));
        return o;
    }

    private static ObjectNode renamedJson(String id, List<String> before, List<String> after) {
        ObjectNode n = LayerView.Json.MAPPER.createObjectNode();
        n.put("id", id);
        before.forEach(n.putArray("before")::add);
        after.forEach(n.putArray("after")::add);
        return n;
    }

    /** One line per change; a first line says which seqs were compared. */
    static void printChanges(IndexChanges c, PrintStream out) {
        out.println("changes from seq " + c.fromSeq() + " to seq " + c.toSeq()
                + (c.isEmpty() ? ": none" : ":"));
        c.layersAdded().forEach(l -> out.println("+ layer " + l.id().hex() + names(l.names())));
        c.layersRemoved().forEach(l -> out.println("- layer " + l.id().hex() + names(l.names())));
        c.layersRenamed().forEach(r -> out.println("~ layer " + r.id().hex() + " names " + list(r.before()) + " -> "
                + list(r.after())));
        for (IndexChanges.StagingChange s : c.stagings()) {
            String sign = s.before() == null ? "+" : s.after() == null ? "-" : "~";
            out.println(sign + " staging " + s.id().hex() + " " + (s.before() == null ? "(none)" : s.before())
                    + " -> " + (s.after() == null ? "(gone)" : s.after()));
        }
        c.imagesAdded().forEach(i -> out.println("+ image " + i.id().hex() + names(i.names())));
        c.imagesRemoved().forEach(i -> out.println("- image " + i.id().hex() + names(i.names())));
        c.imagesRenamed().forEach(r -> out.println("~ image " + r.id().hex() + " names " + list(r.before()) + " -> "
                + list(r.after())));
    }

    private static String names(List<String> names) {
        return names.isEmpty() ? "" : " " + String.join(",", names);
    }

    private static String list(List<String> names) {
        return names.isEmpty() ? "(none)" : String.join(",", names);
    }
}
