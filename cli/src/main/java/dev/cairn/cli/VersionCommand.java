package dev.cairn.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code cairn version}: what {@code cairn --version} prints, as podman and skopeo have it. */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Prints Cairn's version and the Java it runs on (the same as cairn --version).")
final class VersionCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Override
    public Integer call() {
        for (String line : new Main.Version().getVersion()) {
            main.out().println(line.replace("${java.version}", System.getProperty("java.version"))
                    .replace("${java.vendor}", System.getProperty("java.vendor"))
                    .replace("${os.name}", System.getProperty("os.name"))
                    .replace("${os.arch}", System.getProperty("os.arch")));
        }
        return Main.OK;
    }
}
