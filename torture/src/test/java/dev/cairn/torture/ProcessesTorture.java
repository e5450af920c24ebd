package dev.cairn.torture;

import dev.cairn.model.StoreNotFoundException;
import dev.cairn.store.ChildJvm;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StoreOptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The multi-process torture run (docs/RELIABILITY.md; issue 8): several processes work on one store at once and are
 * SIGKILLed at random moments, one at a time or several at once, each restarted at once, so that its open runs
 * recovery while the others write. The processes:
 * <ul>
 *   <li>{@link Settings#processes} {@link TortureChild} JVMs (the Java API, {@link Settings#threads} threads each),
 *       each working only on what it owns ({@link Owners});</li>
 *   <li>a {@link CliLane}: {@code cairn} commands one after another, each a JVM of its own, now and then two imports
 *       started together; a staging id its {@code cairn stage} printed is applied and cleaned up by another process —
 *       a later {@code cairn apply}/{@code cairn cleanup}, or a {@link TortureChild} it is handed to on stdin;</li>
 *   <li>with {@link Settings#staleRecovery}, a {@link StaleRecoveryChild}: the planted bug.</li>
 * </ul>
 * Every few kill events (an epoch) all processes are killed together and, most of the time, the store is checked by
 * the {@link Ledger} with no process running: every invariant of the single-process run, and what was acknowledged
 * across processes (a printed staging applied by another process, two imports started together, a staging id that
 * must stay applicable until applied or cleaned up). Each store is made by all processes at once on a root that
 * does not exist (unless {@link Settings#raceTheCreation} is off), while this JVM polls it read-only: a reader must
 * see no store or a whole one, and every creator must succeed.
 *
 * <p>The seed fixes every choice (who is killed, what each process does), not the timing: a run replays its
 * decisions, not its interleavings. Not thread-safe; {@link #run} once.
 */
final class ProcessesTorture {

    /**
     * @param processes       how many {@link TortureChild} JVMs work at once (the CLI lane and the planted child come
     *                        on top)
     * @param kills           how many processes to SIGKILL in all (the run ends after the epoch that reaches it)
     * @param storeKills      a fresh store every so many kills (0: one store)
     * @param staleRecovery   adds the {@link StaleRecoveryChild}, the planted bug
     * @param raceTheCreation whether each store is created by all processes at once (else this JVM creates it first)
     * @param stopWhen        given the violations so far, whether they are enough to end the run early (after
     *                        the epoch, whose end is checked): the first one for CI, never for a survey
     * @param base            where the stores and tarballs go
     */
    record Settings(long seed, int processes, int threads, int kills, int storeKills, boolean staleRecovery,
                    boolean raceTheCreation, Predicate<List<String>> stopWhen, Path base) {

        /** Stop at the first violation. */
        static final Predicate<List<String>> FIRST_VIOLATION = v -> !v.isEmpty();
        /** Go on to the last kill and count every violation. */
        static final Predicate<List<String>> NEVER = v -> false;
    }

    /** What a run did and found. */
    record Result(long seed, int kills, int killEvents, int earlyKills, int epochs, int checks, int stores,
                  int acknowledged, int cliCommands, int importPairs, int handedOver, int appliedElsewhere,
                  int staleDiscards, int layers, Duration duration, List<String> violations) {

        String summary() {
            return String.format("kills=%d seed=%d violations=%d killEvents=%d earlyKills=%d epochs=%d checks=%d "
                            + "stores=%d acknowledged=%d cliCommands=%d importPairs=%d handedOver=%d "
                            + "appliedElsewhere=%d staleDiscards=%d layers=%d duration=%s%n", kills, seed,
                    violations.size(), killEvents, earlyKills, epochs, checks, stores, acknowledged, cliCommands,
                    importPairs, handedOver, appliedElsewhere, staleDiscards, layers, duration);
        }
    }

    private final Settings settings;
    private final Random random;
    private final Random handovers;
    private final List<String> violations = new ArrayList<>();
    private final List<Slot> slots = new ArrayList<>();
    private final Slot stale;
    private final CliLane lane;
    /** Which process life staged each staging (slot#round, or cli#command), to count applies by another one. */
    private final Map<String, String> stagedBy = new HashMap<>();
    private final Instant start = Instant.now();
    private Ledger ledger;
    private Owners owners;
    private Path root;
    private long rounds;
    private int kills;
    private int killEvents;
    private int earlyKills;
    private int epochs;
    private int checks;
    private int stores;
    private int acknowledged;
    private int cliCommands;
    private int importPairs;
    private int handedOver;
    private int appliedElsewhere;
    private int staleDiscards;
    private volatile boolean polling;

    ProcessesTorture(Settings settings) {
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.handovers = new Random(settings.seed() * 31);
        for (int p = 0; p < settings.processes(); p++) {
            slots.add(new Slot("p" + p, false));
        }
        this.stale = settings.staleRecovery() ? new Slot("stale", true) : null;
        this.lane = new CliLane(this, settings.base(), random.nextLong());
    }

    /** Runs until {@link Settings#kills} processes were killed, or {@link Settings#stopWhen} says to stop. */
    Result run() throws Exception {
        Thread laneThread = new Thread(lane, "cairn-lane");
        laneThread.start();
        try {
            boolean fresh = true;
            newStore();
            while (kills < settings.kills() && !enough()) {
                epochs++;
                Thread poller = startAll(fresh);
                fresh = false;
                for (int e = 3 + random.nextInt(6); e > 0 && kills < settings.kills() && !enough(); e--) {
                    killSome();
                }
                stopAll(poller);
                boolean lastOfStore = settings.storeKills() > 0 && kills >= stores * settings.storeKills();
                boolean last = kills >= settings.kills() || enough();
                if (random.nextInt(100) < 75 || lastOfStore || last) {
                    check();
                }
                report();
                if (lastOfStore && !last) {
                    TortureTest.deleteTree(root);
                    newStore();
                    fresh = true;
                }
            }
        } finally {
            // Whatever ended the run (an exception included), no child outlives it.
            lane.stop();
            lane.signal(Integer.MAX_VALUE);
            laneThread.join(TimeUnit.MINUTES.toMillis(2));
            synchronized (this) {
                for (Slot s : allSlots()) {
                    if (s.child != null) {
                        s.child.close();
                    }
                }
            }
        }
        return result();
    }

    private synchronized boolean enough() {
        return settings.stopWhen().test(violations);
    }

    private void newStore() {
        root = settings.base().resolve("store-" + stores++);
        ledger = new Ledger(violations);
        List<String> holders = new ArrayList<>();
        slots.forEach(s -> holders.add(s.name));
        holders.add(CliLane.HOLDER);
        owners = new Owners(holders, Set.of(CliLane.HOLDER));
        stagedBy.clear();
    }

    /** Starts every process at once (on a fresh store: every one creating it) and, on a fresh store, a reader. */
    private Thread startAll(boolean fresh) throws IOException {
        if (fresh && !settings.raceTheCreation()) {
            LayerStore.open(root).close();
        }
        Thread poller = null;
        if (fresh) {
            polling = true;
            poller = new Thread(this::pollWhileCreated, "reader-of-a-new-store");
            poller.start();
        }
        synchronized (this) {
            for (Slot s : slots) {
                s.start();
            }
            lane.resume(root, fresh);
            if (stale != null) {
                stale.start();
            }
        }
        return poller;
    }

    /**
     * One kill event: SIGKILL the process whose time has come — in two events of five together with others chosen
     * at random, whatever they are doing — and, in two events of five, the CLI lane's running commands; each child
     * killed is learned and restarted at once, so that its open recovers while the others work. A child's time comes
     * as in the single-process run: 0–4 s after it said {@code READY}, or for one in five 0–1.5 s after it was
     * started, while it may still be opening, that is inside its recovery ({@link Slot#start}).
     */
    private void killSome() throws Exception {
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (killable().isEmpty() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        synchronized (this) {
            List<Slot> victims = killable();
            Collections.shuffle(victims, random);
            victims = new ArrayList<>(victims.subList(0, Math.min(1, victims.size())));
            List<Slot> others = new ArrayList<>(allSlots());
            others.removeAll(victims);
            if (!others.isEmpty() && random.nextInt(100) < 40) {
                Collections.shuffle(others, random);
                victims.addAll(others.subList(0, 1 + random.nextInt(others.size())));
            }
            killEvents++;
            // The lane's commands are short and slow to start: kill them less often, or few would finish.
            if (lane.running() > 0 && random.nextInt(100) < 40) {
                kills += lane.signal(1 + random.nextInt(2));
            }
            String where = "kill event " + killEvents + " (seed " + settings.seed() + ")";
            List<Slot> signalled = new ArrayList<>();
            for (Slot s : victims) {
                if (s.signal()) {
                    signalled.add(s);
                }
            }
            for (Slot s : signalled) {
                s.reap(where);
                s.start();
            }
        }
    }

    private synchronized boolean allOpened() {
        return allSlots().stream().allMatch(s -> s.child == null || s.ready() || !s.child.process().isAlive());
    }

    private synchronized List<Slot> killable() {
        List<Slot> due = new ArrayList<>();
        for (Slot s : allSlots()) {
            if (s.due()) {
                due.add(s);
            }
        }
        return due;
    }

    /**
     * Kills every process at once, once each has opened the store (or a minute has passed) and worked 0–2 s more,
     * and waits until all are learned.
     */
    private void stopAll(Thread poller) throws Exception {
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!allOpened() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        Thread.sleep(random.nextInt(2000));
        lane.pause();
        synchronized (this) {
            kills += lane.signal(Integer.MAX_VALUE);
            List<Slot> signalled = new ArrayList<>();
            for (Slot s : allSlots()) {
                if (s.signal()) {
                    signalled.add(s);
                }
            }
            for (Slot s : signalled) {
                s.reap("the end of epoch " + epochs + " (seed " + settings.seed() + ")");
            }
        }
        lane.awaitIdle();
        polling = false;
        if (poller != null) {
            poller.join(TimeUnit.MINUTES.toMillis(1));
        }
    }

    /** With every process dead: reopen, check, and deal the store's contents out again. */
    private synchronized void check() {
        ledger.check(root, "check after epoch " + epochs + " (seed " + settings.seed() + "): ");
        checks++;
        owners.dealOut(ledger.layerNames().keySet(), ledger.staged(), ledger.childlessAtCheck(), ledger.images(),
                random);
    }

    /**
     * A reader polling a store that several processes are creating sees no store ({@link StoreNotFoundException})
     * or a whole one, never a part of one (DESIGN.md section 6).
     */
    private void pollWhileCreated() {
        while (polling) {
            try (LayerStore store = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
                store.layers();
                return;
            } catch (StoreNotFoundException e) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException stop) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                violation("a reader of the store several processes were creating (seed " + settings.seed()
                        + ") got: " + String.valueOf(e).replace('\n', ' '));
                return;
            }
        }
    }

    /** What the CLI lane owns now, copied. */
    synchronized Owners.Holdings holdingsOfTheLane() {
        Owners.Holdings h = owners.of(CliLane.HOLDER);
        Owners.Holdings copy = new Owners.Holdings();
        copy.layers.addAll(h.layers);
        copy.staged.addAll(h.staged);
        copy.applied.addAll(h.applied);
        copy.childless.addAll(h.childless);
        return copy;
    }

    /**
     * Learns one {@code cairn} command's life; a staging its {@code stage} printed goes, half of the time, to a
     * {@link TortureChild} to apply and clean up.
     */
    synchronized void learnFromTheLane(List<String> life, String command) {
        Ledger.Learned learned = ledger.learn(life, command + " (seed " + settings.seed() + "): ");
        owners.learn(CliLane.HOLDER, learned);
        cliCommands++;
        String process = "cli#" + cliCommands;
        for (String[] f : learned.acknowledged()) {
            acknowledge(process, f);
            if (f[2].equals("stage") && !slots.isEmpty() && handovers.nextBoolean()) {
                Slot to = slots.get(handovers.nextInt(slots.size()));
                owners.handOver(f[3], CliLane.HOLDER, to.name);
                to.tell(List.of("S " + f[3]));
                handedOver++;
            }
        }
    }

    private void acknowledge(String process, String[] f) {
        acknowledged++;
        if (f[2].equals("stage")) {
            stagedBy.put(f[3], process);
        } else if (f[2].equals("apply") && stagedBy.containsKey(f[3]) && !stagedBy.get(f[3]).equals(process)) {
            appliedElsewhere++;
        }
    }

    /** Two imports started together both returned their layer. */
    synchronized void importPairSucceeded() {
        importPairs++;
    }

    synchronized void violation(String v) {
        violations.add(v);
    }

    private List<Slot> allSlots() {
        List<Slot> all = new ArrayList<>(slots);
        if (stale != null) {
            all.add(stale);
        }
        return all;
    }

    private synchronized Result result() {
        return new Result(settings.seed(), kills, killEvents, earlyKills, epochs, checks, stores, acknowledged,
                cliCommands, importPairs, handedOver, appliedElsewhere, staleDiscards, ledger.layers(),
                Duration.between(start, Instant.now()), List.copyOf(violations));
    }

    private void report() throws IOException {
        TortureTest.report(result().summary(), violations, "processes-torture-result.txt");
    }

    /** One long-lived process of the run and, between kills, its successor. */
    private final class Slot {
        final String name;
        final boolean planted;
        ChildJvm child;
        long round;
        private boolean ready;
        private long startedAt;
        private long readyAt;
        /** -1: killed after READY plus {@link #afterMs}; else killed this long after its start, READY or not. */
        private long earlyMs;
        private long afterMs;

        Slot(String name, boolean planted) {
            this.name = name;
            this.planted = planted;
        }

        /** Starts the slot's next process; a {@link TortureChild} is told on stdin what it owns. */
        void start() throws IOException {
            round = ++rounds;
            ready = false;
            startedAt = System.nanoTime();
            earlyMs = random.nextInt(100) < 20 ? random.nextInt(1500) : -1;
            afterMs = random.nextInt(4000);
            child = planted ? Children.staleRecovery(root)
                    : Children.tortureChild(root, round, random.nextLong(), settings.threads(), "syncfs", "owned");
            if (!planted) {
                tell(owners.ownershipLines(name));
            }
        }

        /** Whether the running process has said {@code READY} (its open, and so its recovery, is done). */
        boolean ready() {
            if (!ready && child != null && child.said().contains("READY")) {
                ready = true;
                readyAt = System.nanoTime();
            }
            return ready;
        }

        /** Whether the time chosen at its start to kill this process has come. */
        boolean due() {
            if (child == null) {
                return false;
            }
            long now = System.nanoTime();
            if (earlyMs >= 0) {
                return now - startedAt >= TimeUnit.MILLISECONDS.toNanos(earlyMs);
            }
            return ready() && now - readyAt >= TimeUnit.MILLISECONDS.toNanos(afterMs) || !child.process().isAlive();
        }

        /** Writes lines to the process's stdin; one that has just been killed learns them at its restart. */
        void tell(List<String> lines) {
            if (child == null) {
                return; // between epochs: the next process is told at its start
            }
            try {
                OutputStream in = child.process().getOutputStream();
                in.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException ignored) {
                // it died: what it was told is still its own (Owners), and its successor is told again
            }
        }

        /** SIGKILLs the process if it runs (one that ended by itself is a violation); returns whether it did. */
        boolean signal() {
            if (child == null) {
                return false;
            }
            if (!child.process().isAlive()) {
                violations.add(name + " round " + round + " (seed " + settings.seed() + ") ended by itself with status "
                        + child.process().exitValue() + " (it printed " + Children.tail(child.said()) + ")");
                return true;
            }
            earlyKills += ready() ? 0 : 1;
            child.process().toHandle().destroyForcibly();
            kills++;
            return true;
        }

        /** Waits for the killed process, learns what it said, and forgets it. */
        void reap(String event) throws InterruptedException {
            String where = event + ", " + name + " round " + round + ": ";
            List<String> said = Children.reap(child, where, violations);
            Ledger.Learned learned = ledger.learn(said, where);
            child = null;
            if (planted) {
                staleDiscards += (int) said.stream().filter(l -> l.startsWith("N recovered StagingDiscarded"))
                        .count();
                return;
            }
            owners.learn(name, learned);
            for (String[] f : learned.acknowledged()) {
                acknowledge(name + "#" + round, f);
            }
        }
    }

    /** Where the run's files go: a fresh folder under {@code dir}, or {@code fallback} when dir is unset. */
    static Path base(String dir, Path fallback) throws IOException {
        return dir == null || dir.isBlank() ? fallback : Files.createTempDirectory(Path.of(dir), "torture-");
    }
}
