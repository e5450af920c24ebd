package dev.cairn.cli;

import dev.cairn.model.CorruptArchiveException;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StagedLayer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.function.LongConsumer;

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
            LongConsumer progress = Progress.forInput(main.terminal(), main.err(), "staging", input);
            try {
                staged = store.stage(input.stream(), progress);
            } catch (CorruptArchiveException e) {
                throw input.named(e);
            } finally {
                Progress.finish(progress);
            }
        }
        out().println(staged.id().hex());
        return Main.OK;
    }
}
