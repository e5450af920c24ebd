package dev.cairn.cli;

import dev.cairn.model.CorruptArchiveException;
import dev.cairn.model.Digest;
import dev.cairn.store.AppliedLayer;
import dev.cairn.store.LayerSpec;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;


/** {@code cairn import}: stage, apply and clean up in one go. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Imports a layer tarball (plain, gzip or zstd tar) and prints the new layer's id.",
                "If a layer with that id exists already, it is kept, given the --name names it lacks, and its id "
                        + "printed. A missing parent or a name held by another layer is refused before the tarball "
                        + "is read.",
                "On Ctrl-C (SIGINT, SIGTERM) the staging made so far is discarded; one a killed (SIGKILL) import "
                        + "left is discarded by the next command that changes the store, or by 'cairn prune'."})
final class ImportCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = LayerInput.PARAM_LABEL, description = "The tarball; - reads stdin.")
    String source;

    @Mixin
    LayerSpecOptions layer;

    @Option(names = "--expect-diff-id", paramLabel = "sha256:HEX",
            description = "Refuse the layer unless its uncompressed tar has this digest (its OCI DiffID).")
    String expectDiffId;

    @Override
    public Integer call() throws Exception {
        LayerSpec spec = layer.toSpec();
        if (expectDiffId != null) {
            spec = spec.expectingDiffId(Digest.parse(expectDiffId));
        }
        try (Interruption.Guard guard = Interruption.guard("the unfinished import was undone");
             LayerInput input = LayerInput.open(source, main.stdin()); LayerStore store = openForWriting()) {
            guard.onStop(input::abort); // a read waiting on a pipe ends, and the staging is discarded
            waitingNote(input);
            AppliedLayer applied;
            try (Progress progress = Progress.forInput(main.terminal(), main.err(), "importing", input)) {
                applied = store.put(input.stream(), spec, progress);
            } catch (CorruptArchiveException e) {
                throw input.named(e);
            }
            if (applied.duplicate()) {
                note(StoreCommand.duplicateNote(applied));
            }
            out().println(applied.layer().id().hex());
            out().flush();
            guard.finished();
        }
        return Main.OK;
    }
}
