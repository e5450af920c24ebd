package dev.cairn.torture;

import dev.cairn.model.Layer;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StagedLayer;
import dev.cairn.store.StoreInvariants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The torture run (docs/RELIABILITY.md): {@code torture.kills} times, a {@link TortureChild} JVM works on one store
 * from several threads and is killed with SIGKILL at a random moment — sometimes before it has even finished
 * opening, i.e. inside recovery — then (most of the time) the store is reopened here, which recovers it, and
 * checked:
 * <ul>
 *   <li>{@link StoreInvariants}: no incomplete layer, layer folders exactly the layers, no unaccounted staging
 *       folder, empty trash, the live index equal to the fold from seq 1, the journal verified end to end and
 *       every layer's contents rehashed against its manifest ({@code verify --deep});</li>
 *   <li>acknowledged ⇒ durable: every call the child saw return is in the store — a put, create or apply is
 *       there with its name, a delete stays deleted, a name change holds, a finished staging is still staged, a
 *       cleanup stays cleaned — and a call cut short by the kill shows either its before or its after, nothing
 *       else.</li>
 * </ul>
 * {@code -Dtorture.seed=S} replays a run (the seed is printed and is in every failure message),
 * {@code -Dtorture.kills=N} sets its length, {@code -Dtorture.dir=D} puts the store under D (e.g. /dev/shm).
 * The result (kills, seed, violations, duration) is written to {@code target/torture-result.txt}.
 */
class TortureTest {

    private static final int THREADS = 3;

    @TempDir
    Path tmp;

    /** What the parent knows: the state every acknowledged call implies, and the calls cut short. */
    private final Map<String, Set<String>> layers = new HashMap<>();
    private final Set<String> deleted = new HashSet<>();
    private final Set<String> staged = new HashSet<>();
    private final Set<String> cleaned = new HashSet<>();
    private final List<String[]> cutShort = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();

    @Test
    void killedAtRandomMomentsTheStoreKeepsEveryAcknowledgedCallAndNothingHalfMade() throws Exception {
        long seed = Long.getLong("torture.seed", new Random().nextLong());
        int kills = Integer.getInteger("torture.kills", 16);
        String dir = System.getProperty("torture.dir");
        Path root = (dir == null || dir.isBlank() ? tmp : Files.createTempDirectory(Path.of(dir), "torture-"))
                .resolve("store");
        System.out.printf("torture: seed=%d kills=%d store=%s (replay with -Dtorture.seed=%d)%n", seed, kills, root,
                seed);
        Random random = new Random(seed);
        Instant start = Instant.now();
        int done = 0;
        int checks = 0;
        int acknowledged = 0;
        int earlyKills = 0;
        for (int kill = 0; kill < kills && violations.isEmpty(); kill++) {
            boolean early = random.nextInt(100) < 20;
            int delayMs = early ? random.nextInt(1500) : random.nextInt(4000);
            List<String> said = runAndKill(root, kill, random.nextLong(), early, delayMs);
            acknowledged += learn(said, seed, kill);
            done++;
            earlyKills += early ? 1 : 0;
            // Now and then leave the recovery to the next child, so that its open has real work to do when it is
            // killed (and the kill can land inside recovery); always check after the last kill.
            if (random.nextInt(100) < 75 || kill == kills - 1) {
                check(root, seed, kill);
                checks++;
            }
            // Written after every kill, so that a long run stopped early still tells what it did.
            report(String.format("kills=%d of %d seed=%d violations=%d checks=%d acknowledged=%d earlyKills=%d "
                            + "layers=%d duration=%s threads=%d%n", done, kills, seed, violations.size(), checks,
                    acknowledged, earlyKills, layers.size(), Duration.between(start, Instant.now()), THREADS));
        }
        if (dir != null && !dir.isBlank()) {
            deleteTree(root.getParent());
        }
        assertThat(violations).as("violations (seed %d)", seed).isEmpty();
        assertThat(acknowledged).as("the children got work done (seed %d)", seed).isPositive();
    }

    private void report(String result) throws IOException {
        System.out.print("torture: " + result);
        System.out.flush();
        Path report = Path.of("target", "torture-result.txt");
        if (Files.isDirectory(report.getParent())) {
            Files.writeString(report, result + String.join("\n", violations));
        }
    }

    private List<String> runAndKill(Path root, int kill, long childSeed, boolean early, int delayMs)
            throws Exception {
        Process p = child(root, kill, childSeed);
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

    /** Folds the child's lines into what the parent knows; returns how many calls returned. */
    private int learn(List<String> said, long seed, int kill) {
        Map<String, String[]> open = new HashMap<>();
        int acks = 0;
        for (String line : said) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "B" -> open.put(f[1], f);
                case "F" -> open.remove(f[1]);
                case "E" -> violations.add("kill " + kill + " (seed " + seed + "): unexpected error: " + line);
                case "A" -> {
                    open.remove(f[1]);
                    acks++;
                    acknowledged(f);
                }
                case "READY" -> { }
                default -> violations.add("kill " + kill + ": unreadable line from the child: " + line);
            }
        }
        cutShort.addAll(open.values());
        return acks;
    }

    private void acknowledged(String[] f) {
        switch (f[2]) {
            case "put", "create" -> layers.put(f[3], Set.of(f[4]));
            case "apply" -> {
                staged.remove(f[3]);
                layers.put(f[4], Set.of(f[5]));
            }
            case "stage" -> staged.add(f[3]);
            case "cleanup" -> {
                staged.remove(f[3]);
                cleaned.add(f[3]);
            }
            case "delete" -> {
                layers.remove(f[3]);
                deleted.add(f[3]);
            }
            case "names" -> layers.put(f[3], names(f[4]));
            default -> violations.add("unknown call acknowledged: " + String.join(" ", f));
        }
    }

    private static Set<String> names(String joined) {
        return joined.equals("-") ? Set.of() : new TreeSet<>(List.of(joined.split(",")));
    }

    /** Reopens (recovering) and checks every invariant; then what the store holds is what the parent knows. */
    private void check(Path root, long seed, int kill) throws IOException {
        String where = "kill " + kill + " (seed " + seed + "): ";
        try (LayerStore store = LayerStore.open(root)) {
            try {
                StoreInvariants.check(store);
            } catch (AssertionError e) {
                violations.add(where + e.getMessage().replace('\n', ' '));
            }
            Map<String, Set<String>> seen = new HashMap<>();
            for (Layer l : store.layers()) {
                seen.put(l.id().hex(), new TreeSet<>(l.names()));
            }
            Set<String> stagedNow = new HashSet<>();
            for (StagedLayer s : store.staged()) {
                stagedNow.add(s.id().hex());
            }
            Set<String> touched = new HashSet<>();
            Set<String> newNames = new HashSet<>();
            Map<String, Set<String>> renamed = new HashMap<>();
            int newStagings = 0;
            for (String[] f : cutShort) {
                switch (f[2]) {
                    case "put" -> {
                        newNames.add(f[3]);
                        newStagings++; // its stage may have finished before the kill
                    }
                    case "create" -> newNames.add(f[3]);
                    case "apply" -> {
                        touched.add(f[3]);
                        newNames.add(f[4]);
                    }
                    case "stage" -> newStagings++;
                    case "cleanup", "delete" -> touched.add(f[3]);
                    case "names" -> {
                        touched.add(f[3]);
                        Set<String> before = layers.get(f[3]);
                        Set<String> after = seen.get(f[3]);
                        renamed.put(f[3], names(f[4]));
                        // before == null: the layer came from a call cut short earlier; the check below covers it
                        if (before != null && after != null && !after.equals(before)
                                && !after.equals(names(f[4]))) {
                            violations.add(where + "layer " + f[3] + " has names " + after + ", neither " + before
                                    + " from before nor " + names(f[4]) + " from the name change cut short");
                        }
                        if (before != null && after == null) {
                            violations.add(where + "layer " + f[3] + " vanished during a name change");
                        }
                    }
                    default -> violations.add(where + "unknown call cut short: " + String.join(" ", f));
                }
            }
            for (Map.Entry<String, Set<String>> e : layers.entrySet()) {
                if (touched.contains(e.getKey())) {
                    continue;
                }
                Set<String> now = seen.get(e.getKey());
                if (now == null) {
                    violations.add(where + "acknowledged layer " + e.getKey() + " " + e.getValue() + " is missing");
                } else if (!now.equals(e.getValue())) {
                    violations.add(where + "layer " + e.getKey() + " has names " + now + ", acknowledged "
                            + e.getValue());
                }
            }
            for (String id : deleted) {
                if (seen.containsKey(id)) {
                    violations.add(where + "layer " + id + " was deleted (acknowledged) and is back");
                }
            }
            for (Map.Entry<String, Set<String>> e : seen.entrySet()) {
                if (!layers.containsKey(e.getKey()) && !(e.getValue().size() == 1
                        && newNames.contains(e.getValue().iterator().next()))
                        && !e.getValue().equals(renamed.get(e.getKey()))) {
                    violations.add(where + "layer " + e.getKey() + " " + e.getValue()
                            + " is there, but no call made it");
                }
            }
            for (String sid : staged) {
                if (!touched.contains(sid) && !stagedNow.contains(sid)) {
                    violations.add(where + "acknowledged staging " + sid + " is gone");
                }
            }
            for (String sid : cleaned) {
                if (stagedNow.contains(sid) || Files.exists(root.resolve("staging").resolve(sid))) {
                    violations.add(where + "staging " + sid + " was cleaned up (acknowledged) and is back");
                }
            }
            Set<String> unknownStagings = new LinkedHashSet<>(stagedNow);
            unknownStagings.removeAll(staged);
            for (String[] f : cutShort) {
                if (f[2].equals("cleanup") || f[2].equals("apply")) {
                    unknownStagings.remove(f[3]);
                }
            }
            if (unknownStagings.size() > newStagings) {
                violations.add(where + "stagings " + unknownStagings + " are there, but only " + newStagings
                        + " stage calls were cut short");
            }
            // From here on the parent knows exactly what the store holds.
            layers.clear();
            layers.putAll(seen);
            staged.clear();
            staged.addAll(stagedNow);
            cutShort.clear();
        }
    }

    private Process child(Path root, int round, long seed) throws IOException {
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
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String tail(List<String> said) {
        return said.subList(Math.max(0, said.size() - 3), said.size()).toString();
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
