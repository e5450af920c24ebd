package dev.cairn.cli;

import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cairn delete}: removes a layer that has no children. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Deletes a layer, named by id or name; refused while other layers stand on it. Prints nothing.")
final class DeleteCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "ID|NAME", description = "The layer's id or one of its names.")
    String layer;

    @Override
    public Integer call() throws Exception {
        try (LayerStore store = openForWriting()) {
            store.delete(layer);
        }
        return Main.OK;
    }
}
