package dev.cairn.cli;

import dev.cairn.model.CorruptArchiveException;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StagedLayer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;


/** {@code cairn stage}: the expensive half of an import, outside the store lock. */
@Command(name = "stage", mixinStandardHelpOptions = true,
        description = {"Extracts and hashes a layer tarball into a staging and prints the staging id.",
                "The staging survives this process until 'cairn apply' makes it a layer or 'cairn cleanup' "
                        + "removes it."})
final class StageCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = LayerInput.PARAM_LABEL, description = "The tarball; - reads stdin.")
    String source;

    @Override
    public Integer call() throws Exception {
        StagedLayer staged;
        try (LayerInput input = LayerInput.open(source, main.stdin()); LayerStore store = openForWriting()) {
            waitingNote(input);
            try (Progress progress = Progress.forInput(main.terminal(), main.err(), "staging", input)) {
                staged = store.stage(input.stream(), progress);
            } catch (CorruptArchiveException e) {
                throw input.named(e);
            }
        }
        out().println(staged.id().hex());
        return Main.OK;
    }
}
