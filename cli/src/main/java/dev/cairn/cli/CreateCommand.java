package dev.cairn.cli;

import dev.cairn.store.AppliedLayer;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cairn create}: an empty layer, without a diff. */
@Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Creates an empty layer (no diff) and prints its id.",
                "If a layer with the given --id exists already, it is kept, given the --name names it lacks, and "
                        + "its id printed."})
final class CreateCommand extends StoreCommand {

    @Mixin
    LayerSpecOptions layer;

    @Override
    public Integer call() throws Exception {
        AppliedLayer applied;
        try (LayerStore store = openForWriting()) {
            applied = store.create(layer.toSpec());
        }
        if (applied.duplicate()) {
            note(StoreCommand.duplicateNote(applied));
        }
        out().println(applied.layer().id().hex());
        return Main.OK;
    }
}
