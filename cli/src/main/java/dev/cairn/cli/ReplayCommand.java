package dev.cairn.cli;

import dev.cairn.model.ImageRecord;
import dev.cairn.model.Layer;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code cairn replay}: the layer index as it was at an earlier point of the journal. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Lists the layers (or with --images the images) as they were right after journal record SEQ "
                + "(see 'cairn log').")
final class ReplayCommand extends StoreCommand {

    @Option(names = "--until", paramLabel = "SEQ", required = true,
            description = "The last record to replay; 0 is the empty store.")
    long until;

    @Option(names = "--images", description = "List the images instead of the layers.")
    boolean images;

    @Option(names = "--json", description = "Print a JSON array of layer (or image) objects.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (images) {
            List<ImageRecord> asOf;
            try (LayerStore store = openForReading()) {
                asOf = store.imagesAsOf(until);
            }
            if (json) {
                ImageView.printJsonArray(asOf, out());
            } else {
                ImageView.printTable(asOf, out());
            }
            return Main.OK;
        }
        List<Layer> layers;
        try (LayerStore store = openForReading()) {
            layers = store.layersAsOf(until);
        }
        if (json) {
            LayerView.printJsonArray(layers, out());
        } else {
            LayerView.printTable(layers, out());
        }
        return Main.OK;
    }
}
