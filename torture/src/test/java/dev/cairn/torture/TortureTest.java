package dev.cairn.torture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The torture run (docs/RELIABILITY.md): {@code torture.kills} times, a {@link TortureChild} JVM works on one store
 * from several threads and is killed with SIGKILL at a random moment — sometimes before it has even finished
 * opening, i.e. inside recovery — then (most of the time) the store is reopened here, which recovers it, and
 * checked:
 * <ul>
 *   <li>{@link dev.cairn.store.StoreInvariants}: no incomplete layer, layer folders exactly the layers, no unaccounted staging
 *       folder, empty trash, the live index equal to the fold from seq 1, the journal verified end to end and
 *       every layer's contents rehashed against its manifest ({@code verify --deep});</li>
 *   <li>acknowledged ⇒ durable: every call the child saw return is in the store — a put, create or apply is
 *       there with its name, a delete stays deleted, a name change holds, a finished staging is still staged, a
 *       cleanup stays cleaned — and a call cut short by the kill shows either its before or its after, nothing
 *       else.</li>
 * </ul>
 * {@code -Dtorture.seed=S} replays a run (the seed is printed and is in every failure message),
 * {@code -Dtorture.kills=N} sets its length, {@code -Dtorture.dir=D} puts the store under D (e.g. /dev/shm),
 * {@code -Dtorture.storeKills=K} starts a fresh store every K kills (the store's history, replayed at every open,
 * would otherwise make each kill slower than the last).
 * The result (kills, seed, violations, duration) is written to {@code target/torture-result.txt}.
 */
class TortureTest {

    @TempDir
    Path tmp;

    @Test
    void killedAtRandomMomentsTheStoreKeepsEveryAcknowledgedCallAndNothingHalfMade() throws Exception {
        long seed = Long.getLong("torture.seed", new Random().nextLong());
        int kills = Integer.getInteger("torture.kills", 12);
        // Kills per store (0: one store for the whole run). The journal is replayed and verified from seq 1 at
        // every open and check, so a store's kills get slower as its history grows; a long run may take several.
        int storeKills = Integer.getInteger("torture.storeKills", 0);
        String dir = System.getProperty("torture.dir");
        Path base = dir == null || dir.isBlank() ? tmp : Files.createTempDirectory(Path.of(dir), "torture-");
        Path root = base.resolve("store-0");
        System.out.printf("torture: seed=%d kills=%d storeKills=%d store=%s (replay with -Dtorture.seed=%d)%n", seed,
                kills, storeKills, root, seed);
        Ledger ledger = new Ledger();
        List<String> violations = ledger.violations();
        Random random = new Random(seed);
        Instant start = Instant.now();
        int done = 0;
        int checks = 0;
        int acknowledged = 0;
        int earlyKills = 0;
        int stores = 1;
        for (int kill = 0; kill < kills && violations.isEmpty(); kill++) {
            if (storeKills > 0 && kill > 0 && kill % storeKills == 0) {
                deleteTree(root);
                root = base.resolve("store-" + stores++);
                ledger = new Ledger();
                violations = ledger.violations();
            }
            boolean lastOfStore = kill == kills - 1 || storeKills > 0 && (kill + 1) % storeKills == 0;
            String where = "kill " + kill + " (seed " + seed + "): ";
            boolean early = random.nextInt(100) < 20;
            int delayMs = early ? random.nextInt(1500) : random.nextInt(4000);
            List<String> said = Children.runAndKill(root, kill, random.nextLong(), early, delayMs, violations);
            acknowledged += ledger.learn(said, where).acknowledged().size();
            done++;
            earlyKills += early ? 1 : 0;
            // Now and then leave the recovery to the next child, so that its open has real work to do when it is
            // killed (and the kill can land inside recovery); always check after a store's last kill.
            if (random.nextInt(100) < 75 || lastOfStore) {
                ledger.check(root, where);
                checks++;
            }
            // Written after every kill, so that a long run stopped early still tells what it did.
            report(String.format("kills=%d of %d seed=%d violations=%d checks=%d acknowledged=%d earlyKills=%d "
                            + "layers=%d images=%d stores=%d duration=%s threads=%d%n", done, kills, seed,
                    violations.size(), checks, acknowledged, earlyKills, ledger.layers(), ledger.images().size(), stores,
                    Duration.between(start, Instant.now()),
                    Children.THREADS), violations);
        }
        if (dir != null && !dir.isBlank() && violations.isEmpty()) {
            deleteTree(base);
        }
        assertThat(violations).as("violations (seed %d)", seed).isEmpty();
        assertThat(acknowledged).as("the children got work done (seed %d)", seed).isPositive();
    }

    /** Prints a progress line and writes it, with the violations, to {@code target/<file>}. */
    static void report(String result, List<String> violations, String file) throws IOException {
        System.out.print(file.replace("-result.txt", "") + ": " + result);
        System.out.flush();
        Path report = Path.of("target", file);
        if (Files.isDirectory(report.getParent())) {
            Files.writeString(report, result + String.join("\n", violations));
        }
    }

    private static void report(String result, List<String> violations) throws IOException {
        report(result, violations, "torture-result.txt");
    }

    static void deleteTree(Path p) throws IOException {
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
