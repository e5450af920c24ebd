package dev.cairn.cli;

import dev.cairn.model.Layer;
import dev.cairn.model.LayerHasChildrenException;
import dev.cairn.model.LayerId;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code cairn delete}: removes layers that have no children. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = {"Deletes layers.",
                "One that other layers stand on is refused, unless those are deleted in the same command (children "
                        + "go first). Prints nothing.",
                "Every REF is resolved and checked before the first deletion: a refusal deletes nothing."})
final class DeleteCommand extends StoreCommand {

    @Parameters(arity = "1..*", paramLabel = "REF", description = LayerRefs.SEVERAL)
    List<String> refs;

    @Override
    public Integer call() throws Exception {
        try (LayerStore store = openForWriting()) {
            Map<LayerId, Layer> doomed = new LinkedHashMap<>();
            for (String ref : refs) {
                Layer l = store.layer(ref);
                doomed.put(l.id(), l);
            }
            for (Layer l : doomed.values()) {
                List<LayerId> staying = store.children(l.id().hex()).stream().map(Layer::id)
                        .filter(c -> !doomed.containsKey(c)).toList();
                if (!staying.isEmpty()) {
                    throw new LayerHasChildrenException(l.id(), staying);
                }
            }
            // store.layers() lists parents before children: deleting in its reverse order takes children first.
            List<Layer> order = new ArrayList<>(store.layers().stream().filter(l -> doomed.containsKey(l.id()))
                    .toList());
            java.util.Collections.reverse(order);
            for (Layer l : order) {
                store.delete(l.id().hex());
            }
        }
        return Main.OK;
    }
}
