package dev.cairn.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CrashChild} (or another main class) in its own JVM, with the JVM flags of this one, and its stdout read line by line on a
 * background thread. Stderr goes to this JVM's stderr (the surefire report).
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());

    private ChildJvm(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    all.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("READ FAILED " + e);
            }
            lines.add("EOF");
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code CrashChild ROOT SCENARIO SEED} with extra {@code -D} properties. */
    static ChildJvm start(Path root, String scenario, long seed, String... properties) throws IOException {
        return start(List.of(), List.of(properties), CrashChild.class, root.toString(), scenario, Long.toString(seed));
    }

    /**
     * Starts {@code main} with {@code args} in a JVM with this one's flags plus {@code properties}, the command
     * prefixed by {@code wrapper} (e.g. {@code setpriv ...}; empty for none).
     */
    static ChildJvm start(List<String> wrapper, List<String> properties, Class<?> main, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Ddisable")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(properties);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    Process process() {
        return process;
    }

    /** Waits (up to two minutes: the machine is shared) for the next line that starts with {@code prefix}. */
    String await(String prefix) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < until) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                continue;
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            if (line.equals("EOF")) {
                throw new AssertionError("the child ended (status " + exitStatus() + ") before saying " + prefix
                        + "; it said " + all);
            }
        }
        throw new AssertionError("the child did not say " + prefix + " in time; it said " + all);
    }

    /** Waits for the child to end and returns its exit status. */
    int exitStatus() throws InterruptedException {
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            throw new AssertionError("the child did not end; it said " + all);
        }
        return process.exitValue();
    }

    /** Everything it said so far. */
    List<String> said() {
        return List.copyOf(all);
    }

    /** SIGKILL. */
    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor(1, TimeUnit.MINUTES);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
