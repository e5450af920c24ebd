package dev.cairn.cli;

import dev.cairn.model.Layer;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;

/** {@code cairn names}: shows or changes a layer's names. */
@Command(name = "names", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Shows a layer's names, one per line, or changes them and shows the result.",
                "A name belongs to at most one layer; giving one that another layer has is an error that changes "
                        + "nothing.",
                "--set and --clear replace all names and cannot be combined with --add or --remove."})
final class NamesCommand extends StoreCommand {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REF", description = LayerRefs.ONE)
    String layer;

    @Option(names = "--add", paramLabel = "NAME", description = "Add a name; repeat for several.")
    List<String> add = new ArrayList<>();

    @Option(names = "--remove", paramLabel = "NAME",
            description = "Remove a name; repeat for several. A name the layer does not have is ignored.")
    List<String> remove = new ArrayList<>();

    @Option(names = "--set", paramLabel = "NAME", description = "Make the names exactly these; repeat for several.")
    List<String> set = new ArrayList<>();

    @Option(names = "--clear", description = "Remove all names.")
    boolean clear;

    @Override
    public Integer call() throws Exception {
        boolean replace = !set.isEmpty() || clear;
        if (replace && (!add.isEmpty() || !remove.isEmpty())) {
            throw new ParameterException(spec.commandLine(), "--set and --clear cannot be combined with --add or --remove");
        }
        if (clear && !set.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--clear and --set cannot be combined");
        }
        Layer l;
        if (!replace && add.isEmpty() && remove.isEmpty()) {
            try (LayerStore store = openForReading()) {
                l = store.layer(layer);
            }
        } else {
            try (LayerStore store = openForWriting()) {
                if (replace) {
                    l = store.setNames(layer, set);
                } else {
                    l = store.changeNames(layer, add, remove);
                }
            }
        }
        l.names().forEach(out()::println);
        return Main.OK;
    }
}
