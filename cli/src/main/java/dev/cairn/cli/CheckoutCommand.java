package dev.cairn.cli;

import dev.cairn.model.CheckoutOptions;
import dev.cairn.model.CheckoutResult;
import dev.cairn.store.LayerStore;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn checkout}: a layer and its parents, merged into a directory. */
@Command(name = "checkout", mixinStandardHelpOptions = true,
        description = {"Writes the layer and all its parents, merged, into DIR: whiteouts and opaque directories "
                + "applied, the same tree umoci or podman unpack. DIR must be an empty directory or not exist yet "
                + "(its parent must). Prints nothing; on an error nothing is left in DIR.",
                "Regular files are cloned (reflinks) where the file system can, else copied. Owners and device "
                + "nodes are applied only as root; otherwise each device node not made is named on stderr."})
final class CheckoutCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "ID|NAME", description = "The layer's id or one of its names.")
    String layer;

    @Parameters(index = "1", paramLabel = "DIR", description = "Where to write the tree.")
    Path dir;

    @Option(names = "--link",
            description = "Hardlink regular files to the store's instead of cloning or copying them: no space and "
                    + "little time, but the checkout shares the store's files, so writing one of them corrupts the "
                    + "layer (verify --deep finds it). For read-only use only.")
    boolean link;

    @Override
    public Integer call() throws Exception {
        CheckoutOptions options = link ? new CheckoutOptions(CheckoutOptions.FileSource.HARDLINK_UNSAFE)
                : CheckoutOptions.DEFAULTS;
        CheckoutResult r;
        try (LayerStore store = openForReading()) {
            r = store.checkout(layer, dir, options);
        }
        for (String path : r.notCreated()) {
            note("device node " + path + " not created: only root can make device nodes");
        }
        return Main.OK;
    }
}
