package dev.cairn.cli;

import dev.cairn.model.Layer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.List;

/**
 * How a list of layers is printed ({@code layers}, {@code replay}), with podman's options: the table (ids cut to 12
 * characters unless {@code --no-trunc}), {@code -q} (ids only), {@code --format} ({@code json} or a
 * {@code {{.Field}}} template, see {@link Format}) and {@code --json} (the same as {@code --format json}).
 */
final class ListingOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--json", description = "Print a JSON array of layer objects (the same as --format json).")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print only the ids, one per line.")
    boolean quiet;

    @Option(names = "--no-trunc", description = "Print ids whole (64 characters) instead of their first 12.")
    boolean noTrunc;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = {"'json', or a template printed once per layer: text and {{.Field}} placeholders, \\t and "
                    + "\\n for tab and newline, e.g. '{{.ID}}\\t{{.Names}}'. Fields: " + LayerView.FIELD_LIST + "."})
    String format;

    /** Prints {@code layers} as these options say. */
    void print(List<Layer> layers, PrintStream out) {
        Format f = format == null ? null : parse(spec, format, LayerView.FIELDS);
        if (quiet && (f != null || json)) {
            throw new ParameterException(spec.commandLine(), "-q cannot be combined with --format or --json");
        }
        if (quiet) {
            layers.forEach(l -> out.println(noTrunc ? l.id().hex() : LayerView.shortId(l.id())));
        } else if (json || f != null && f.json()) {
            LayerView.printJsonArray(layers, out);
        } else if (f != null) {
            layers.forEach(l -> out.println(f.apply(LayerView.fields(l, noTrunc))));
        } else {
            LayerView.printTable(layers, out, noTrunc);
        }
    }

    /** A {@code --format} value, or a usage error (exit status 2) saying what is wrong with it. */
    static Format parse(CommandSpec spec, String format, List<String> fields) {
        try {
            return Format.parse(format, fields);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
