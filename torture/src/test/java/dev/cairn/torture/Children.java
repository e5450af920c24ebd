package dev.cairn.torture;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts {@link TortureChild} JVMs and kills them with SIGKILL at a moment they do not choose. */
final class Children {

    /** Worker threads per child. */
    static final int THREADS = 3;

    private Children() {
    }

    /**
     * Starts a child on {@code root}, waits for its {@code READY} (unless {@code early}, which kills it while it may
     * still be opening or recovering), lets it work {@code delayMs} and kills it with SIGKILL. Returns every line
     * it printed; what went wrong with the child itself (it would not die, it ended by itself) is added to
     * {@code violations}.
     */
    static List<String> runAndKill(Path root, int kill, long childSeed, boolean early, int delayMs,
            List<String> violations, String... childArgs) throws Exception {
        Process p = child(root, kill, childSeed, childArgs);
        List<String> said = Collections.synchronizedList(new ArrayList<>());
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Object ready = new Object();
        Thread reader = new Thread(() -> {
            try {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    said.add(line);
                    if (line.equals("READY")) {
                        synchronized (ready) {
                            ready.notifyAll();
                        }
                    }
                }
            } catch (IOException e) {
                said.add("E - read " + e);
            }
        });
        reader.start();
        if (!early) {
            synchronized (ready) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!said.contains("READY") && p.isAlive() && System.nanoTime() < until) {
                    ready.wait(100);
                }
            }
        }
        Thread.sleep(delayMs);
        boolean diedByItself = !p.isAlive();
        p.toHandle().destroyForcibly(); // SIGKILL at a moment the child does not choose
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            violations.add("kill " + kill + ": the child did not die");
        }
        reader.join(60_000);
        if (diedByItself) {
            violations.add("kill " + kill + ": the child ended by itself with status " + p.exitValue()
                    + " (it printed " + tail(said) + ")");
        }
        return new ArrayList<>(said);
    }

    private static Process child(Path root, int round, long seed, String... childArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Ddisable")) {
                cmd.add(arg);
            }
        }
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TortureChild.class.getName());
        cmd.add(root.toString());
        cmd.add(Integer.toString(round));
        cmd.add(Long.toString(seed));
        cmd.add(Integer.toString(THREADS));
        cmd.addAll(List.of(childArgs));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String tail(List<String> said) {
        return said.subList(Math.max(0, said.size() - 3), said.size()).toString();
    }
}
