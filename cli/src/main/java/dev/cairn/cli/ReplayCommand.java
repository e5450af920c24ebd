package dev.cairn.cli;

import dev.cairn.model.ImageRecord;
import dev.cairn.model.Layer;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    ListingOptions listing;

    @Override
    public Integer call() throws Exception {
        if (images) {
            List<ImageRecord> asOf;
            try (LayerStore store = openForReading()) {
                asOf = store.imagesAsOf(until);
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
        try (LayerStore store = openForReading()) {
            layers = store.layersAsOf(until);
        }
        listing.print(layers, out());
        return Main.OK;
    }
}
