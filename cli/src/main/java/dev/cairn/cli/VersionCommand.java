package dev.cairn.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code cairn version}: what {@code cairn --version} prints, as podman and skopeo have it. */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Prints Cairn's version and the Java it runs on (the same as cairn --version).")
final class VersionCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // cairn's own version provider, its ${java.version} and the like filled in by picocli, as for --version
        spec.parent().commandLine().printVersionHelp(main.out());
        return Main.OK;
    }
}
