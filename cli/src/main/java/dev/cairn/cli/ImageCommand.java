package dev.cairn.cli;

import dev.cairn.model.ImageRecord;
import dev.cairn.oci.Image;
import dev.cairn.oci.ImageLayer;
import dev.cairn.oci.ImageReference;
import dev.cairn.oci.ImageSource;
import dev.cairn.oci.Platform;
import dev.cairn.store.ImageSpec;
import dev.cairn.store.ImportedImage;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * {@code cairn image}: images in and out of the store, and one image in full. The listing is {@code cairn images}.
 * REF is an image's full id, a unique prefix of it (at least 4 hex characters, {@code sha256:} allowed) or a name.
 */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = {"Imports, shows, exports and deletes images (OCI image layouts and docker-archives).",
                "REF is an image's id, a unique prefix of it (at least 4 hex characters) or one of its names."},
        subcommands = {ImageCommand.Import.class, ImageCommand.Inspect.class, ImageCommand.Export.class,
                ImageCommand.Delete.class})
final class ImageCommand implements Callable<Integer> {

    /** The source or destination syntax, as skopeo writes it. */
    static final String REFERENCE = "oci:DIR[:TAG]|docker-archive:FILE[:REF]";

    @ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** {@code cairn image} alone is a usage error: a subcommand is needed. */
    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "name a subcommand: import, inspect, export or delete");
    }

    /** What every image subcommand shares: the store {@code cairn --root} names, and where output goes. */
    abstract static class Subcommand implements Callable<Integer> {

        @ParentCommand
        ImageCommand image;

        final Main main() {
            return image.main;
        }

        final LayerStore openForWriting() throws IOException {
            return LayerStore.open(main().root());
        }

        final LayerStore openForReading() throws IOException {
            return LayerStore.openReadOnly(main().root(), StoreOptions.defaults());
        }

        /** A remark that is not the result: stderr, prefixed like errors, exit status unchanged. */
        final void note(String text) {
            main().err().println("cairn: " + text);
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Imports an image and prints its id (the hex of its config's digest).",
                    "Every blob is verified while it is read; the layers the store lacks are extracted all at once, "
                            + "those it has are not extracted again; each layer gets the id containers/storage "
                            + "gives it. An index is resolved for this machine's platform unless --platform says "
                            + "otherwise. Without --name, an image from a docker-archive gets its RepoTags."})
    static final class Import extends Subcommand {

        @Parameters(index = "0", paramLabel = REFERENCE, description = "Where the image is.")
        String source;

        @Option(names = "--name", paramLabel = "NAME",
                description = "A name for the image, e.g. example/app:v3 (moved from any image that has it); "
                        + "repeat for several.")
        List<String> names = new ArrayList<>();

        @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
                description = "The platform to take from an index (default: this machine's).")
        String platform;

        @Override
        public Integer call() throws Exception {
            ImageReference reference = ImageReference.parse(source);
            Platform wanted = platform == null ? Platform.host() : Platform.parse(platform);
            ImportedImage imported;
            try (ImageSource src = ImageSource.open(reference, wanted); LayerStore store = openForWriting()) {
                Image image = src.image();
                List<String> given = names.isEmpty() && reference instanceof ImageReference.DockerArchive
                        ? image.names() : names;
                long total = blobBytes(image.layers());
                try (Progress progress = Progress.start(main().terminal(), main().err(), "importing " + source,
                        Progress.Unit.BYTES, OptionalLong.of(total))) {
                    imported = store.importImage(src, new ImageSpec(given), progress);
                }
            }
            if (imported.duplicate()) {
                note("image " + imported.image().id() + " exists already; " + (imported.addedNames().isEmpty()
                        ? "kept unchanged" : "kept, with the names added: " + String.join(", ",
                        imported.addedNames())));
            }
            main().out().println(imported.image().id().hex());
            return Main.OK;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Shows one image.")
    static final class Inspect extends Subcommand {

        @Parameters(index = "0", paramLabel = "REF", description = "The image's id, id prefix or name.")
        String ref;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            ImageRecord i;
            try (LayerStore store = openForReading()) {
                i = store.image(ref);
            }
            if (json) {
                main().out().println(LayerView.pretty(ImageView.toJson(i)));
            } else {
                ImageView.printDetails(i, main().out());
            }
            return Main.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Writes an image to an OCI image layout (added, tagged TAG) or a docker-archive (FILE "
                    + "replaced, REF its RepoTags), with the manifest and blob digests it was imported with.",
                    "Prints nothing."})
    static final class Export extends Subcommand {

        @Parameters(index = "0", paramLabel = "REF", description = "The image's id, id prefix or name.")
        String ref;

        @Parameters(index = "1", paramLabel = REFERENCE, description = "Where to write it.")
        String destination;

        @Override
        public Integer call() throws Exception {
            ImageReference dest = ImageReference.parse(destination);
            dest.checkDestination();
            try (LayerStore store = openForReading()) {
                ImageRecord i = store.image(ref);
                try (Progress progress = Progress.start(main().terminal(), main().err(), "exporting " + ref,
                        Progress.Unit.BYTES, OptionalLong.of(i.size() - i.manifestSize() - i.configSize()))) {
                    store.exportImage(i.id().hex(), dest, progress);
                }
            }
            return Main.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Deletes an image; its layers stay until they are deleted (a layer no image uses can be).",
                    "Prints nothing."})
    static final class Delete extends Subcommand {

        @Parameters(index = "0", paramLabel = "REF", description = "The image's id, id prefix or name.")
        String ref;

        @Override
        public Integer call() throws Exception {
            try (LayerStore store = openForWriting()) {
                store.deleteImage(ref);
            }
            return Main.OK;
        }
    }

    /** The size of the blobs a layer list reads, for progress. */
    static long blobBytes(List<ImageLayer> layers) {
        return layers.stream().mapToLong(l -> l.blob().size()).sum();
    }
}
