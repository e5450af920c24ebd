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
                        + "removes it. On Ctrl-C (SIGINT, SIGTERM) what was staged so far is discarded."})
final class StageCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = LayerInput.PARAM_LABEL, description = "The tarball; - reads stdin.")
    String source;

    @Override
    public Integer call() throws Exception {
        try (Interruption.Guard guard = Interruption.guard("the unfinished staging was discarded");
             LayerInput input = LayerInput.open(source, main.stdin()); LayerStore store = openForWriting()) {
            guard.onStop(input::abort); // a read waiting on a pipe ends, and the staging is discarded
            waitingNote(input);
            StagedLayer staged;
            try (Progress progress = Progress.forInput(main.terminal(), main.err(), "staging", input)) {
                staged = store.stage(input.stream(), progress);
            } catch (CorruptArchiveException e) {
                throw input.named(e);
            }
            out().println(staged.id().hex());
            out().flush();
            guard.finished();
        }
        return Main.OK;
    }
}
