package dev.cairn.cli;

import dev.cairn.model.StagingId;
import dev.cairn.store.AppliedLayer;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code cairn apply}: the cheap, atomic half of an import. */
@Command(name = "apply", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Makes a staged diff a layer and prints the layer's id.",
                "If a layer with that id exists already, it is kept, given the --name names it lacks, its id "
                        + "printed, and the staging left for 'cairn cleanup'."})
final class ApplyCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "SID", description = "The staging id 'cairn stage' printed.")
    String staging;

    @Mixin
    LayerSpecOptions layer;

    @Override
    public Integer call() throws Exception {
        StagingId sid = StagingId.of(staging);
        AppliedLayer applied;
        try (LayerStore store = openForWriting()) {
            applied = store.applyStaged(sid, layer.toSpec());
        }
        if (applied.duplicate()) {
            note(StoreCommand.duplicateNote(applied) + "; staging " + sid + " not used (remove it with 'cairn cleanup "
                    + sid + "')");
        }
        out().println(applied.layer().id().hex());
        return Main.OK;
    }
}
