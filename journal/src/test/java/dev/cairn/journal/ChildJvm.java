package dev.cairn.journal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a real child JVM on the test classpath with this JVM's Chronicle flags (also for the tlog tests). */
public final class ChildJvm {

    private ChildJvm() {
    }

    public static Process start(Class<?> main, Path output, String... args) throws IOException {
        return start(List.of(), main, output, args);
    }

    /** As {@link #start(Class, Path, String...)}, the command prefixed by {@code wrapper} (e.g. setpriv ...). */
    public static Process start(List<String> wrapper, Class<?> main, Path output, String... args) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.") || arg.startsWith("-Ddisable.")) {
                command.add(arg);
            }
        }
        command.add("-Xshare:auto");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }
}
