package dev.cairn.cli;

import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a command that writes outside the store does when the process is told to stop (SIGINT from Ctrl-C, SIGTERM):
 * it stops at the next progress report and removes what it had written, before the JVM exits.
 *
 * <p>A command opens a {@link Guard} around the work and reports progress through {@link #check()}; once a stop is
 * requested, {@code check()} throws {@link Stopped}, the command's own error path removes its partial output, and
 * closing the guard lets the exit go on. Work that may wait on its input (an import reading a pipe) has that input
 * closed at once ({@link Guard#onStop}), so that the wait ends in an error and the same error path. A guard that is
 * not closed within {@link #GRACE_SECONDS} (the work is stuck in one long system call) has its fallback cleanup run
 * by the shutdown hook itself. A guard whose work {@linkplain Guard#finished() finished} before it could be stopped
 * says nothing: there was nothing to remove. The shutdown hook is installed
 * only by {@link Main#main}; commands run in-process ({@link Main#run}) are never stopped so.
 *
 * <p>SIGKILL cannot be caught: what a killed command leaves is recognised by the next run of the same command and
 * replaced ({@link PartialOutput}). Thread-safe.
 */
final class Interruption {

    /** How long the shutdown hook waits for a command to clean up after itself. */
    static final long GRACE_SECONDS = 20;

    private static volatile boolean stopping;
    private static final Set<Guard> GUARDS = ConcurrentHashMap.newKeySet();

    private Interruption() {
    }

    private static volatile PrintStream err;

    /**
     * Installs the shutdown hook: once per process, from {@link Main#main}. If a stop ends guarded work, the hook
     * says so on {@code stderr} (the command's own error path cannot: the JVM halts once the hook is done).
     */
    static void install(PrintStream stderr) {
        err = stderr;
        Runtime.getRuntime().addShutdownHook(new Thread(Interruption::stopAll, "cairn-interrupt"));
    }

    /** Whether the process is being stopped (SIGINT, SIGTERM). */
    static boolean stopping() {
        return stopping;
    }

    /** Throws {@link Stopped} once the process is stopping; cheap, for progress callbacks. */
    static void check() {
        if (stopping) {
            throw new Stopped("the partial output was removed");
        }
    }

    /**
     * A guard around work that writes outside the store (or stages into it); open it before what it guards, so that
     * it is closed after the partial output is removed.
     *
     * @param removed what the stop message says was undone, e.g. "the partial output was removed"
     */
    static Guard guard(String removed) {
        Guard g = new Guard(removed);
        GUARDS.add(g);
        if (stopping) { // the hook may have looked at the guards already
            g.close();
            throw new Stopped(removed);
        }
        return g;
    }

    private static void stopAll() {
        stopping = true;
        List<Guard> guards = List.copyOf(GUARDS);
        for (Guard g : guards) {
            try {
                g.onStop.run();
            } catch (RuntimeException e) {
                // the work still ends at its next check, or the fallback runs
            }
        }
        Set<String> said = new LinkedHashSet<>();
        for (Guard g : guards) {
            try {
                if (!g.done.await(GRACE_SECONDS, TimeUnit.SECONDS)) {
                    g.fallback.run();
                }
            } catch (InterruptedException e) {
                g.fallback.run();
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the exit goes on; what could not be removed is recognised and replaced by the next run
            }
            if (!g.finished) {
                said.add(g.removed);
            }
        }
        if (!said.isEmpty() && err != null) {
            err.println("cairn: interrupted; " + String.join("; ", said));
            err.flush();
        }
    }

    /** Open while a command writes outside the store; closed when its output is complete or removed. */
    static final class Guard implements AutoCloseable {
        private final String removed;
        private volatile Runnable fallback = () -> { };
        private volatile Runnable onStop = () -> { };
        private volatile boolean finished;
        private final CountDownLatch done = new CountDownLatch(1);

        private Guard(String removed) {
            this.removed = removed;
        }

        /** What the shutdown hook runs as soon as a stop is requested: e.g. closing an input the work may wait on. */
        void onStop(Runnable action) {
            onStop = action;
        }

        /** The work is complete (its output committed): a stop from now on has nothing to remove. */
        void finished() {
            finished = true;
        }

        /** What removes the partial output if the work does not end within {@link #GRACE_SECONDS} of a stop. */
        void onTimeout(Runnable removal) {
            fallback = removal;
        }

        @Override
        public void close() {
            GUARDS.remove(this);
            done.countDown();
        }
    }

    /** The process is stopping (SIGINT, SIGTERM): the work ends here and removes what it wrote. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(String message) {
            super(message, null, false, false);
        }
    }
}
