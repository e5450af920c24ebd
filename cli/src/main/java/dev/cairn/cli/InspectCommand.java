package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.cairn.model.Layer;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;

/** {@code cairn inspect}: layers in full. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Shows layers in full: one 'key: value' line per field, a blank line between layers.",
                "Every REF is resolved before anything is printed: if one names no layer (or an ambiguous prefix), "
                        + "that is the one error line and nothing is printed.",
                "With --json (or --format json): one JSON object for one REF, an array of them for several."})
final class InspectCommand extends StoreCommand {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "REF", description = LayerRefs.SEVERAL)
    List<String> refs;

    @Option(names = "--json", description = "Print JSON (the same as --format json).")
    boolean json;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = {"'json', or a template printed once per layer, e.g. '{{.ID}} {{.DiffDigest}}' (ids "
                    + "whole); \\t and \\n are tab and newline. Fields: " + LayerView.FIELD_LIST + "."})
    String format;

    @Override
    public Integer call() throws Exception {
        Format f = format == null ? null : ListingOptions.parse(spec, format, LayerView.FIELDS);
        List<Layer> layers = new ArrayList<>();
        try (LayerStore store = openForReading()) {
            for (String ref : refs) {
                layers.add(store.layer(ref));
            }
        }
        if (json || f != null && f.json()) {
            if (layers.size() == 1) {
                out().println(LayerView.pretty(LayerView.toJson(layers.get(0))));
            } else {
                ArrayNode all = LayerView.Json.MAPPER.createArrayNode();
                layers.forEach(l -> all.add(LayerView.toJson(l)));
                out().println(LayerView.pretty(all));
            }
        } else if (f != null) {
            layers.forEach(l -> out().println(f.apply(LayerView.fields(l, true))));
        } else {
            for (int i = 0; i < layers.size(); i++) {
                if (i > 0) {
                    out().println();
                }
                LayerView.printDetails(layers.get(i), out());
            }
        }
        return Main.OK;
    }
}
