package dev.cairn.cli;

import dev.cairn.model.StagingId;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cairn cleanup}: removes what is left of a staging. */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = "Removes a staging's files, applied or not. Prints nothing.")
final class CleanupCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "SID", description = "The staging id 'cairn stage' printed.")
    String staging;

    @Override
    public Integer call() throws Exception {
        StagingId sid = StagingId.of(staging);
        try (LayerStore store = openForWriting()) {
            store.cleanupStaged(sid);
        }
        return Main.OK;
    }
}
