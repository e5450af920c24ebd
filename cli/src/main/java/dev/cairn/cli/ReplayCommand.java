package dev.cairn.cli;

import dev.cairn.model.Layer;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code cairn replay}: the layer index as it was at an earlier point of the journal. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Lists the layers as they were right after journal record SEQ (see 'cairn log').")
final class ReplayCommand extends StoreCommand {

    @Option(names = "--until", paramLabel = "SEQ", required = true,
            description = "The last record to replay; 0 is the empty store.")
    long until;

    @Mixin
    ListingOptions listing;

    @Override
    public Integer call() throws Exception {
        List<Layer> layers;
        try (LayerStore store = openForReading()) {
            layers = store.layersAsOf(until);
        }
        listing.print(layers, out());
        return Main.OK;
    }
}
