package dev.cairn.cli;

import dev.cairn.model.ImageRecord;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code cairn images}: every image. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "Lists the images, oldest first.")
final class ImagesCommand extends StoreCommand {

    @Option(names = "--json", description = "Print a JSON array of image objects.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<ImageRecord> images;
        try (LayerStore store = openForReading()) {
            images = store.images();
        }
        if (json) {
            ImageView.printJsonArray(images, out());
        } else {
            ImageView.printTable(images, out());
        }
        return Main.OK;
    }
}
