package dev.cairn.cli;

import dev.cairn.model.CheckoutOptions;
import dev.cairn.model.CheckoutResult;
import dev.cairn.store.LayerStore;
import dev.cairn.model.Layer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn checkout}: a layer and its parents, merged into a directory. */
@Command(name = "checkout", mixinStandardHelpOptions = true,
        description = {"Writes the layer and its parents, merged (whiteouts applied), into a directory.",
                "Opaque directories too: the same tree umoci or podman unpack. DIR must be an "
                        + "empty directory or not exist yet (its parent must). Prints nothing; on an error or Ctrl-C "
                        + "(SIGINT, SIGTERM) nothing is left in DIR.",
                "While it works, .DIR.cairn-checkout beside DIR says so; if a checkout is killed (SIGKILL), the next "
                        + "checkout into DIR finds that note and replaces the incomplete tree.",
                "Regular files are cloned (reflinks) where the file system can, else copied. Owners and device "
                + "nodes are applied only as root; otherwise each device node not made is named on stderr."})
final class CheckoutCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "REF", description = LayerRefs.ONE)
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
        Path target = dir.toAbsolutePath().normalize();
        CheckoutResult r;
        try (LayerStore store = openForReading()) {
            Layer l = store.layer(layer);
            try (Interruption.Guard guard = Interruption.guard("the partial tree was removed");
                 PartialOutput note = PartialOutput.claim(PartialOutput.besides(target, PartialOutput.TREE_SUFFIX));
                 Progress progress = Progress.start(main.terminal(), main.err(), "checkout " + l.id().hex()
                         .substring(0, 12), Progress.Unit.ENTRIES, OptionalLong.empty())) {
                boolean created = replaceLeftover(note, target);
                note.note("cairn checkout of layer " + l.id() + " into " + target + " by process "
                        + ProcessHandle.current().pid() + ": incomplete while this file exists\n"
                        + CREATED + created + "\n");
                guard.onTimeout(() -> {
                    removeQuietly(target, created);
                    note.removeQuietly();
                });
                r = store.checkout(l.id().hex(), target, options.withProgress(progress));
                guard.finished();
            }
        }
        for (String path : r.notCreated()) {
            note("device node " + path + " not created: only root can make device nodes");
        }
        return Main.OK;
    }

    private static final String CREATED = "target created: ";

    /**
     * If the note claimed was a killed checkout's, removes the incomplete tree it left in {@code target} (and the
     * folder, if that checkout made it). Returns whether this checkout makes {@code target}.
     */
    private boolean replaceLeftover(PartialOutput note, Path target) throws IOException {
        boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        if (note.leftover() == null || !exists || !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            return !exists;
        }
        boolean madeByIt = note.leftover().contains(CREATED + "true");
        PartialOutput.removeTree(target, madeByIt);
        note("removed the incomplete tree a killed 'cairn checkout' left in " + target);
        return madeByIt;
    }

    private static void removeQuietly(Path target, boolean self) {
        try {
            PartialOutput.removeTree(target, self);
        } catch (IOException | RuntimeException e) {
            // the note stays, so the next checkout replaces what is left
        }
    }
}
