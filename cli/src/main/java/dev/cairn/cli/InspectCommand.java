package dev.cairn.cli;

import dev.cairn.model.Layer;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn inspect}: one layer in full. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Shows one layer, named by id or name.")
final class InspectCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "ID|NAME", description = "The layer's id or one of its names.")
    String layer;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Layer l;
        try (LayerStore store = openForReading()) {
            l = store.layer(layer);
        }
        if (json) {
            out().println(LayerView.pretty(LayerView.toJson(l)));
        } else {
            LayerView.printDetails(l, out());
        }
        return Main.OK;
    }
}
