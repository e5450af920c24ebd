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
 * A {@link CrashChild} (or another main class) in its own JVM, with the JVM flags of this one, and its stdout read line
 * by line on a background thread. Stderr goes to this JVM's stderr (the surefire report) unless the caller's
 * {@link ProcessBuilder} says otherwise. Public for the torture module, which starts its children here too.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;

    private ChildJvm(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
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
     * Starts {@code main} with {@code args} in a JVM with this one's flags plus {@code jvmArgs}, the command
     * prefixed by {@code wrapper} (e.g. {@code setpriv ...}; empty for none).
     */
    public static ChildJvm start(List<String> wrapper, List<String> jvmArgs, Class<?> main, String... args)
            throws IOException {
        return start(new ProcessBuilder(command(wrapper, jvmArgs, main, args))
                .redirectError(ProcessBuilder.Redirect.INHERIT));
    }

    /** Starts {@code builder} (a {@link #command} with the caller's redirects) and reads its stdout by line. */
    public static ChildJvm start(ProcessBuilder builder) throws IOException {
        return new ChildJvm(builder.start());
    }

    /**
     * The command line of a child JVM: {@code wrapper}, this JVM's java with its Chronicle flags
     * ({@code --add-exports}/{@code --add-opens}, {@code -Dchronicle.*}, {@code -Ddisable.*}), {@code jvmArgs}, this
     * JVM's class path, {@code main} and {@code args}.
     */
    public static List<String> command(List<String> wrapper, List<String> jvmArgs, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Ddisable")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    public Process process() {
        return process;
    }

    /** Waits (up to two minutes: the machine is shared) for the next line that starts with {@code prefix}. */
    public String await(String prefix) throws InterruptedException {
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
    public int exitStatus() throws InterruptedException {
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            throw new AssertionError("the child did not end; it said " + all);
        }
        return process.exitValue();
    }

    /** Everything it said so far. */
    public List<String> said() {
        return List.copyOf(all);
    }

    /**
     * Everything it said, once it has ended and its stdout has been read to the end (waiting up to a minute for
     * that); a child still running is waited for too.
     */
    public List<String> saidToTheEnd() throws InterruptedException {
        reader.join(TimeUnit.MINUTES.toMillis(1));
        return said();
    }

    /** SIGKILL. */
    public void kill() throws InterruptedException {
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
