package dev.cairn.cli;

import dev.cairn.store.LayerStore;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --archive FILE}, repeatable: journal archives ({@code cairn archive}) to read the records before the
 * journal's first kept one from; shared by {@code log}, {@code history}, {@code replay}, {@code verify} and
 * {@code prove}.
 */
final class ArchiveFiles {

    @Option(names = "--archive", paramLabel = "FILE",
            description = {"A journal archive cairn archive wrote, to read the records it holds from (repeat it for "
                    + "several, in any order).", "Without it, records before the journal's first kept one are not "
                    + "read, and the command says which archive has them."})
    List<Path> files = new ArrayList<>();

    /** {@code store} reading archived records from the archives given (the store itself when none is). */
    LayerStore over(LayerStore store) throws IOException {
        return store.withArchives(files);
    }
}
