package dev.cairn.cli;

import dev.cairn.model.LayerId;
import dev.cairn.store.LayerSpec;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The options that say what to call a new layer and where it goes: {@code --id}, {@code --parent}, {@code --name}. */
final class LayerSpecOptions {

    @Option(names = "--id", paramLabel = "ID",
            description = "The layer's id, 64 lowercase hex characters (default: the id containers/image gives it "
                    + "- its DiffID's hex for a base layer, else sha256 of PARENT-ID+DIFFID-HEX; random for an empty "
                    + "layer).")
    String id;

    @Option(names = "--parent", paramLabel = "REF",
            description = "The layer it stands on, by id, unique id prefix or name (default: none).")
    String parent;

    @Option(names = "--name", paramLabel = "NAME",
            description = "A name for the layer, unique in the store; repeat for several.")
    List<String> names = new ArrayList<>();

    /**
     * The spec these options describe.
     *
     * @throws IllegalArgumentException if the id or a name is not well formed
     */
    LayerSpec toSpec() {
        LayerSpec spec = LayerSpec.base().withNames(names);
        if (id != null) {
            spec = spec.withId(LayerId.of(id));
        }
        if (parent != null) {
            spec = spec.withParent(parent);
        }
        return spec;
    }
}
