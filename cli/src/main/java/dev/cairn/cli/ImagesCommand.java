package dev.cairn.cli;

import dev.cairn.model.ImageRecord;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.List;

/** {@code cairn images}: every image, with the listing options of {@code layers} (podman's). */
@Command(name = "images", mixinStandardHelpOptions = true, description = "Lists the images, oldest first.")
final class ImagesCommand extends StoreCommand {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print a JSON array of image objects (the same as --format json).")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print only the ids, one per line.")
    boolean quiet;

    @Option(names = "--no-trunc", description = "Print ids whole (64 characters) instead of their first 12.")
    boolean noTrunc;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = {"'json', or a template printed once per image: text and {{.Field}} placeholders, \\t and "
                    + "\\n for tab and newline, e.g. '{{.ID}}\\t{{.Names}}'. Fields: " + ImageView.FIELD_LIST + "."})
    String format;

    @Override
    public Integer call() throws Exception {
        Format f = format == null ? null : ListingOptions.parse(spec, format, ImageView.FIELDS);
        if (quiet && (f != null || json)) {
            throw new ParameterException(spec.commandLine(), "-q cannot be combined with --format or --json");
        }
        List<ImageRecord> images;
        try (LayerStore store = openForReading()) {
            images = store.images();
        }
        if (quiet) {
            images.forEach(i -> out().println(noTrunc ? i.id().hex() : ImageView.shortId(i)));
        } else if (json || f != null && f.json()) {
            ImageView.printJsonArray(images, out());
        } else if (f != null) {
            images.forEach(i -> out().println(f.apply(ImageView.fields(i, noTrunc))));
        } else {
            ImageView.printTable(images, out(), noTrunc);
        }
        return Main.OK;
    }
}
