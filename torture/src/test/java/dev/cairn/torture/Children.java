package dev.cairn.torture;

import dev.cairn.cli.Main;
import dev.cairn.store.ChildJvm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the torture runs' child JVMs — {@link TortureChild}, {@code cairn} ({@link Main}) and
 * {@link StaleRecoveryChild} — through the store test-jar's {@link ChildJvm} (this JVM's Chronicle flags and class
 * path), and kills them with SIGKILL at a moment they do not choose.
 */
final class Children {

    /** Worker threads per {@link TortureChild} of the single-process run. */
    static final int THREADS = 3;

    /** Children are short-lived and start often: C1 alone starts them faster (as the {@code cairn} launcher does). */
    private static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

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
        try (ChildJvm child = tortureChild(root, kill, childSeed, THREADS, childArgs)) {
            if (!early) {
                awaitReady(child, TimeUnit.SECONDS.toNanos(120));
            }
            Thread.sleep(delayMs);
            boolean diedByItself = !child.process().isAlive();
            List<String> said = kill(child, "kill " + kill, violations);
            if (diedByItself) {
                violations.add("kill " + kill + ": the child ended by itself with status " + child.process().exitValue()
                        + " (it printed " + tail(said) + ")");
            }
            return said;
        }
    }

    /** Starts {@code TortureChild ROOT ROUND SEED THREADS ARGS...}; its stdin is kept open (see its protocol). */
    static ChildJvm tortureChild(Path root, long round, long seed, int threads, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(root.toString(), Long.toString(round), Long.toString(seed),
                Integer.toString(threads)));
        all.addAll(List.of(args));
        return start(TortureChild.class, all);
    }

    /** Starts {@code cairn ARGS...} with its stderr merged into its stdout (error lines start with "cairn: "). */
    static ChildJvm cairn(List<String> args) throws IOException {
        return ChildJvm.start(new ProcessBuilder(ChildJvm.command(List.of(), QUICK_START, Main.class,
                args.toArray(String[]::new))).redirectErrorStream(true));
    }

    /** Starts {@code StaleRecoveryChild ROOT}, the planted bug (see there). */
    static ChildJvm staleRecovery(Path root) throws IOException {
        return start(StaleRecoveryChild.class, List.of(root.toString()));
    }

    private static ChildJvm start(Class<?> main, List<String> args) throws IOException {
        return ChildJvm.start(new ProcessBuilder(ChildJvm.command(List.of(), QUICK_START, main,
                args.toArray(String[]::new))).redirectError(ProcessBuilder.Redirect.INHERIT));
    }

    /** Waits until the child said {@code READY}, ended, or {@code nanos} passed; returns whether it said it. */
    static boolean awaitReady(ChildJvm child, long nanos) throws InterruptedException {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            if (child.said().contains("READY")) {
                return true;
            }
            if (!child.process().isAlive()) {
                return child.said().contains("READY");
            }
            Thread.sleep(20);
        }
        return false;
    }

    /**
     * SIGKILLs the child (if it still runs) and returns everything it printed; a child that would not die is a
     * violation, named by {@code who}.
     */
    static List<String> kill(ChildJvm child, String who, List<String> violations) throws InterruptedException {
        child.process().toHandle().destroyForcibly(); // SIGKILL at a moment the child does not choose
        return reap(child, who, violations);
    }

    /** Waits for a child already sent SIGKILL to end; returns everything it printed. */
    static List<String> reap(ChildJvm child, String who, List<String> violations) throws InterruptedException {
        if (!child.process().waitFor(60, TimeUnit.SECONDS)) {
            violations.add(who + ": the child did not die");
        }
        return child.saidToTheEnd();
    }

    static String tail(List<String> said) {
        return said.subList(Math.max(0, said.size() - 3), said.size()).toString();
    }
}
