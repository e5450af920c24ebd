package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.Change;
import dev.cairn.store.LayerStore;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn changes}: what a layer adds, modifies and deletes, as {@code podman diff} prints it. */
@Command(name = "changes", mixinStandardHelpOptions = true,
        description = {"Lists what a layer adds, changes and deletes, as podman diff does.",
                "Relative to its parents, one path a line, parents first: A added, C changed (present below), D "
                        + "deleted (a whiteout, or hidden by an opaque directory).",
                "With --json: one object {\"changed\": [...], \"added\": [...], \"deleted\": [...]} "
                        + "as podman diff --format json prints it."})
final class ChangesCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "REF", description = LayerRefs.ONE)
    String layer;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Change> changes;
        try (LayerStore store = openForReading()) {
            changes = store.changes(layer);
        }
        if (json) {
            ObjectNode o = LayerView.Json.MAPPER.createObjectNode();
            ArrayNode changed = o.putArray("changed");
            ArrayNode added = o.putArray("added");
            ArrayNode deleted = o.putArray("deleted");
            for (Change c : changes) {
                (switch (c.kind()) {
                    case MODIFIED -> changed;
                    case ADDED -> added;
                    case DELETED -> deleted;
                }).add(c.path());
            }
            out().println(LayerView.pretty(o));
        } else {
            changes.forEach(c -> out().println(c));
        }
        return Main.OK;
    }
}
