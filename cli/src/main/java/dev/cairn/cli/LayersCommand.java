package dev.cairn.cli;

import dev.cairn.model.Layer;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code cairn layers}: every layer. */
@Command(name = "layers", mixinStandardHelpOptions = true,
        description = "Lists the layers, parents before children.")
final class LayersCommand extends StoreCommand {

    @Option(names = "--json", description = "Print a JSON array of layer objects.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Layer> layers;
        try (LayerStore store = openForReading()) {
            layers = store.layers();
        }
        if (json) {
            LayerView.printJsonArray(layers, out());
        } else {
            LayerView.printTable(layers, out());
        }
        return Main.OK;
    }
}
