package dev.cairn.torture;

import dev.cairn.store.ChildJvm;
import dev.cairn.store.TestTars;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The command-line part of a multi-process torture run ({@link ProcessesTorture}): {@code cairn} commands run one
 * after another, each in a JVM of its own ({@code dev.cairn.cli.Main}, as a shell runs it), on what the lane owns
 * ({@link Owners}): import (and now and then two imports started together), stage, apply, cleanup, create, delete and
 * names. Every command opens the store for writing, so every one runs recovery while the other processes write.
 *
 * <p>Each command's life is written in {@link TortureChild}'s protocol — {@code B} before it starts; {@code A} with
 * the id it printed (a printed id is acknowledged even if the kill came before the process ended); or {@code E}
 * with what it printed and its status — and given to the run, which learns it and may hand a staging that
 * {@code cairn stage} printed to a {@link TortureChild} to apply. The lane only asks for what must succeed (it
 * deletes only layers that cannot have children, applies only stagings it owns), so a command that fails without
 * a kill is a violation. Thread-safe: the run's killer signals it from another thread.
 */
final class CliLane implements Runnable {

    /** The lane's name as a holder of layers and stagings. */
    static final String HOLDER = "cli";
    /** Above it the lane favours delete, as {@link TortureChild}'s threads do. */
    private static final int MAX_LAYERS = 30;

    private final ProcessesTorture run;
    private final Path tars;
    private final Random random;
    private final Set<ChildJvm> running = ConcurrentHashMap.newKeySet();
    private final Set<ChildJvm> killed = ConcurrentHashMap.newKeySet();
    private final Object state = new Object();
    private Path root;
    private boolean paused = true;
    private boolean busy;
    private boolean stopped;
    private boolean twoImportsNext;
    private long counter;

    /**
     * @param tars where the tarballs it imports and stages are written (outside the store)
     */
    CliLane(ProcessesTorture run, Path tars, long seed) {
        this.run = run;
        this.tars = tars;
        this.random = new Random(seed);
    }

    /** Starts running commands on {@code root}; on a fresh store the first are two imports started together. */
    void resume(Path storeRoot, boolean freshStore) {
        synchronized (state) {
            root = storeRoot;
            paused = false;
            twoImportsNext = freshStore;
            state.notifyAll();
        }
    }

    /** Starts no further command (the one running, if any, runs on). */
    void pause() {
        synchronized (state) {
            paused = true;
        }
    }

    /** Waits until the command running when {@link #pause} was called has ended and been learned. */
    void awaitIdle() throws InterruptedException {
        synchronized (state) {
            while (busy) {
                state.wait();
            }
        }
    }

    /** Ends the lane's thread once it is idle. */
    void stop() {
        synchronized (state) {
            stopped = true;
            paused = true;
            state.notifyAll();
        }
    }

    /** SIGKILLs the commands running now, at most {@code max} of them; returns how many it killed. */
    int signal(int max) {
        int n = 0;
        for (ChildJvm c : List.copyOf(running)) {
            if (n < max && c.process().isAlive()) {
                killed.add(c);
                c.process().toHandle().destroyForcibly();
                n++;
            }
        }
        return n;
    }

    /** How many commands are running now. */
    int running() {
        return running.size();
    }

    @Override
    public void run() {
        while (true) {
            synchronized (state) {
                while (paused && !stopped) {
                    try {
                        state.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopped) {
                    return;
                }
                busy = true;
            }
            try {
                runOne();
            } catch (Exception | Error e) {
                run.violation("the cairn lane failed: " + e);
            } finally {
                synchronized (state) {
                    busy = false;
                    state.notifyAll();
                }
            }
        }
    }

    private void runOne() throws Exception {
        Owners.Holdings h = run.holdingsOfTheLane();
        List<String> staged = List.copyOf(h.staged);
        List<String> applied = List.copyOf(h.applied);
        List<String> layers = List.copyOf(h.layers);
        List<String> childless = List.copyOf(h.childless);
        boolean two;
        synchronized (state) {
            two = twoImportsNext;
            twoImportsNext = false;
        }
        int dice = layers.size() > MAX_LAYERS && random.nextBoolean() ? 85 : random.nextInt(100);
        if (two || dice < 10) {
            // Two imports started together must both succeed, their extractions in parallel (DESIGN.md section 3).
            call(List.of(importing(), importing()));
        } else if (dice < 30) {
            call(List.of(importing()));
        } else if (dice < 50) {
            Command c = new Command("stage", "stage");
            c.args.add(tarball(c).toString());
            call(List.of(c));
        } else if (dice < 65 && !staged.isEmpty()) {
            String sid = pick(staged);
            String name = nextName();
            Command c = new Command("apply", "apply " + sid + " " + name);
            c.args.addAll(List.of(sid, "--name", name));
            call(List.of(c));
        } else if (dice < 75 && (!applied.isEmpty() || !staged.isEmpty())) {
            String sid = pick(!applied.isEmpty() && (staged.isEmpty() || random.nextBoolean()) ? applied : staged);
            Command c = new Command("cleanup", "cleanup " + sid);
            c.args.add(sid);
            call(List.of(c));
        } else if (dice < 80) {
            String name = nextName();
            Command c = new Command("create", "create " + name);
            c.args.addAll(List.of("--name", name));
            call(List.of(c));
        } else if (dice < 92 && !childless.isEmpty()) {
            String id = pick(childless);
            Command c = new Command("delete", "delete " + id);
            c.args.add(id);
            call(List.of(c));
        } else if (!layers.isEmpty()) {
            String id = pick(layers);
            List<String> names = new ArrayList<>();
            for (int i = random.nextInt(3); i > 0; i--) {
                names.add(nextName());
            }
            Command c = new Command("names", "names " + id + " " + (names.isEmpty() ? "-" : String.join(",", names)));
            c.args.add(id);
            if (names.isEmpty()) {
                c.args.add("--clear");
            }
            names.forEach(n -> c.args.addAll(List.of("--set", n)));
            call(List.of(c));
        } else {
            call(List.of(importing()));
        }
    }

    private Command importing() throws IOException {
        String name = nextName();
        Command c = new Command("import", "put " + name + " -");
        c.args.addAll(List.of(tarball(c).toString(), "--name", name));
        return c;
    }

    /**
     * Runs the commands at once and gives each one's life to the run when it has ended; tells the run when two
     * imports started together both returned.
     */
    private void call(List<Command> commands) throws Exception {
        int imported = 0;
        for (Command c : commands) {
            List<String> args = new ArrayList<>(List.of("--root", root.toString(), c.verb));
            args.addAll(c.args);
            c.line = "cairn " + String.join(" ", args);
            c.child = Children.cairn(args);
            running.add(c.child);
        }
        for (Command c : commands) {
            boolean ended = c.child.process().waitFor(5, TimeUnit.MINUTES);
            if (!ended) {
                killed.add(c.child);
                c.child.process().toHandle().destroyForcibly();
                run.violation(c.line + ": did not end in 5 minutes; killed");
            }
            List<String> output = Children.reap(c.child, c.line, new ArrayList<>());
            running.remove(c.child);
            boolean killedByTheRun = killed.remove(c.child) && c.child.process().exitValue() != 0;
            List<String> life = c.life(output, c.child.process().exitValue(), killedByTheRun);
            imported += c.verb.equals("import") && life.get(life.size() - 1).startsWith("A ") ? 1 : 0;
            run.learnFromTheLane(life, c.line);
            if (c.tar != null) {
                Files.deleteIfExists(c.tar);
            }
        }
        if (imported == 2) {
            run.importPairSucceeded();
        }
    }

    private Path tarball(Command c) throws IOException {
        // Seeds above those of TortureChild (round * 1e6 + ...), so that no tar is made twice in a run.
        c.tar = tars.resolve("c" + c.number + ".tar.gz");
        Files.write(c.tar, TestTars.layer(1_000_000_000_000L + c.number, 1 + random.nextInt(12)));
        return c.tar;
    }

    private String nextName() {
        return "cli" + (counter++);
    }

    private String pick(List<String> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** One {@code cairn} command and, once it ran, its process. */
    private final class Command {
        final String verb;
        /** The call in the ledger's words: {@code OP ARGS} of a {@code B} line. */
        final String call;
        final List<String> args = new ArrayList<>();
        final long number = counter++;
        Path tar;
        String line;
        ChildJvm child;

        Command(String verb, String call) {
            this.verb = verb;
            this.call = call;
        }

        /** The command's life in the ledger's protocol, from what it printed and how it ended. */
        List<String> life(List<String> output, int status, boolean killedByTheRun) {
            String op = call.split(" ")[0];
            List<String> printed = output.stream().filter(l -> !l.startsWith("cairn: ")).toList();
            List<String> life = new ArrayList<>(List.of("B cli " + call));
            boolean printsAnId = List.of("put", "create", "stage", "apply").contains(op);
            boolean gotIt = printsAnId ? !printed.isEmpty() && (status == 0 || killedByTheRun) : status == 0;
            if (gotIt) {
                String[] f = call.split(" ");
                String result = switch (op) {
                    case "put", "create" -> printed.get(0) + " " + f[1];
                    case "stage" -> printed.get(0);
                    case "apply" -> f[1] + " " + printed.get(0) + " " + f[2];
                    default -> call.substring(op.length() + 1);
                };
                life.add("A cli " + op + " " + result);
            } else if (!killedByTheRun) {
                life.add("E cli " + op + " " + String.join(" | ", output) + " (" + line + ", exit status " + status
                        + ")");
            }
            return life;
        }
    }
}
