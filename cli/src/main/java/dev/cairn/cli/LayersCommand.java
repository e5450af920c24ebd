package dev.cairn.cli;

import dev.cairn.model.Layer;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;

/** {@code cairn layers}: every layer. */
@Command(name = "layers", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Lists the layers, parents before children.",
                "A table with ids cut to 12 characters (any unique prefix of 4 or more names a layer), or as -q, "
                        + "--format or --json say."})
final class LayersCommand extends StoreCommand {

    @Mixin
    ListingOptions listing;

    @Override
    public Integer call() throws Exception {
        List<Layer> layers;
        try (LayerStore store = openForReading()) {
            layers = store.layers();
        }
        listing.print(layers, out());
        return Main.OK;
    }
}
