package dev.cairn.store;

import dev.cairn.model.LayerId;
import dev.cairn.model.internal.FaultPoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every saga of the store cut at each of its steps, first in this JVM (the saga stops dead with an Error, as if
 * the process ended there) and then in real child JVMs that halt at the step or are killed with SIGKILL at random
 * moments. After each: reopen, recover, and check that nothing half-made is visible and nothing acknowledged is lost.
 */
class LayerStoreCrashTest {

    @TempDir
    Path root;

    /** Stops a saga dead in this JVM. */
    static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(String point) {
            super("simulated crash at " + point);
        }
    }

    @AfterEach
    void uninstall() {
        FaultPoints.install(null);
    }

    static void crashAt(String point) {
        FaultPoints.install(p -> {
            if (p.equals(point)) {
                throw new SimulatedCrash(p);
            }
        });
    }

    private static ByteArrayInputStream tar(long seed) {
        return new ByteArrayInputStream(TestTars.layer(seed, 10));
    }

    @ParameterizedTest(name = "stage cut at {0}")
    @CsvSource({FaultPoints.STAGING_STARTED, FaultPoints.STAGING_EXTRACTED})
    void stageCutShortLeavesNoStaging(String point) throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            crashAt(point);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.stage(tar(1)))
                    .isInstanceOf(SimulatedCrash.class);
            FaultPoints.install(null);
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.recoveryReport().actions()).extracting(r -> r.event().type())
                    .containsExactly("StagingDiscarded");
            assertThat(store.staged()).isEmpty();
            StoreInvariants.check(store);
        }
    }

    @ParameterizedTest(name = "apply cut at {0}")
    @CsvSource({FaultPoints.LAYER_CREATED, FaultPoints.LAYER_MOVED})
    void applyCutShortIsRolledBackAndTheStagingCanBeAppliedAgain(String point) throws IOException {
        StagedLayer staged;
        try (LayerStore store = LayerStore.open(root)) {
            staged = store.stage(tar(1));
            crashAt(point);
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> store.applyStaged(staged.id(), LayerSpec.base().withName("n")))
                    .isInstanceOf(SimulatedCrash.class);
            FaultPoints.install(null);
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.recoveryReport().actions()).extracting(r -> r.event().type())
                    .containsExactly("LayerRolledBack");
            assertThat(store.layers()).isEmpty();
            StoreInvariants.check(store);
            assertThat(store.applyStaged(staged.id(), LayerSpec.base().withName("n")).layer().names())
                    .containsExactly("n");
            StoreInvariants.check(store);
        }
    }

    @Test
    void createCutShortIsRolledBack() throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            crashAt(FaultPoints.LAYER_MOVED);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.create(LayerSpec.base()))
                    .isInstanceOf(SimulatedCrash.class);
            FaultPoints.install(null);
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.layers()).isEmpty();
            StoreInvariants.check(store);
        }
    }

    @Test
    void cleanupCutShortIsFinished() throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            StagedLayer staged = store.stage(tar(1));
            crashAt(FaultPoints.STAGING_TRASHED);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.cleanupStaged(staged.id()))
                    .isInstanceOf(SimulatedCrash.class);
            FaultPoints.install(null);
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.recoveryReport().actions()).extracting(r -> r.event().type())
                    .containsExactly("StagingCleaned");
            assertThat(store.staged()).isEmpty();
            StoreInvariants.check(store);
        }
    }

    @ParameterizedTest(name = "delete cut at {0}")
    @CsvSource({FaultPoints.DELETE_STARTED, FaultPoints.LAYER_TRASHED})
    void deleteCutShortIsFinished(String point) throws IOException {
        LayerId id;
        try (LayerStore store = LayerStore.open(root)) {
            id = store.put(tar(1), LayerSpec.base().withName("n")).layer().id();
            crashAt(point);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.delete("n"))
                    .isInstanceOf(SimulatedCrash.class);
            FaultPoints.install(null);
            assertThat(store.findLayer("n")).as("gone for readers from LayerDeleteStarted on").isEmpty();
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.recoveryReport().actions()).extracting(r -> r.event().type())
                    .containsExactly("LayerDeleted");
            assertThat(store.findLayer(id.hex())).isEmpty();
            StoreInvariants.check(store);
        }
    }

    @Test
    void anotherWriterFinishesWhatADeadOneLeftWithoutReopening() throws IOException {
        try (LayerStore survivor = LayerStore.open(root)) {
            try (LayerStore dying = LayerStore.open(root)) {
                StagedLayer staged = dying.stage(tar(1));
                crashAt(FaultPoints.LAYER_MOVED);
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> dying.applyStaged(staged.id(), LayerSpec.base())).isInstanceOf(SimulatedCrash.class);
                FaultPoints.install(null);
            }
            survivor.create(LayerSpec.base().withName("next"));
            assertThat(survivor.layers()).extracting(l -> l.names()).containsExactly(List.of("next"));
            StoreInvariants.check(survivor);
        }
    }

    // --- real processes ------------------------------------------------------------------------------------------

    private Process child(String crashAt, String scenario, long seed) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Ddisable")) {
                cmd.add(arg);
            }
        }
        if (crashAt != null) {
            cmd.add("-Dcairn.crashAt=" + crashAt);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CrashChild.class.getName());
        cmd.add(root.toString());
        cmd.add(scenario);
        cmd.add(Long.toString(seed));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    @ParameterizedTest(name = "child halted at {0} during {1}")
    @CsvSource({
            FaultPoints.STAGING_STARTED + ",stage",
            FaultPoints.STAGING_EXTRACTED + ",stage",
            FaultPoints.LAYER_CREATED + ",apply",
            FaultPoints.LAYER_MOVED + ",apply",
            FaultPoints.LAYER_MOVED + ",create",
            FaultPoints.DELETE_STARTED + ",put-then-delete",
            FaultPoints.LAYER_TRASHED + ",put-then-delete"})
    void aChildJvmHaltedInsideASagaIsRecovered(String point, String scenario) throws Exception {
        Process p = child(point, scenario, 7);
        List<String> out = lines(p);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("halted at %s; said %s", point, out).isEqualTo(137);

        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.recoveryReport().clean()).isFalse();
            assertThat(store.layers()).isEmpty();
            StoreInvariants.check(store);
        }
    }

    /** Halts after a saga's last durable event: the work is done and must survive, though the call never returned. */
    @ParameterizedTest(name = "child halted at {0} during {1}")
    @CsvSource({
            FaultPoints.STAGING_STAGED + ",stage,0,1",
            FaultPoints.LAYER_COMMITTED + ",apply,1,0",
            FaultPoints.LAYER_COMMITTED + ",create,1,0",
            FaultPoints.LAYER_DELETED + ",put-then-delete,0,0",
            FaultPoints.STAGING_CLEANED + ",put-one,1,0",
            FaultPoints.NAMES_SET + ",names,1,0"})
    void aChildJvmHaltedAfterASagasLastEventKeepsItsWork(String point, String scenario, int layers, int staged)
            throws Exception {
        try (ChildJvm c = ChildJvm.start(root, scenario, 7, "-Dcairn.crashAt=" + point)) {
            assertThat(c.exitStatus()).as("halted at %s; said %s", point, c.said()).isEqualTo(137);
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.layers()).hasSize(layers);
            assertThat(store.staged()).hasSize(staged);
            if (scenario.equals("names")) {
                assertThat(store.layers().get(0).names()).containsExactly("renamed");
            }
            StoreInvariants.check(store);
        }
    }

    /**
     * A crash in the middle of recovery (after a disk step, before its event) is recovered by the next open: the
     * second recovery ends in the state the first would have reached, with the end event written once.
     */
    @ParameterizedTest(name = "recovery halted at {0}")
    @CsvSource({
            FaultPoints.RECOVERY_LAYER_REMOVED + ",LayerDeleted",
            FaultPoints.RECOVERY_LAYER_RESTORED + ",LayerRolledBack",
            FaultPoints.RECOVERY_LAYER_ROLLED_BACK + ",LayerRolledBack",
            FaultPoints.RECOVERY_STAGING_REMOVED + ",StagingDiscarded",
            FaultPoints.RECOVERY_ORPHAN_REMOVED + ",OrphanRemoved"})
    void aCrashInsideRecoveryIsRecoveredByTheNextOpen(String point, String endEvent) throws Exception {
        StagedLayer staged = null;
        try (LayerStore store = LayerStore.open(root)) {
            switch (endEvent) {
                case "LayerDeleted" -> {
                    store.put(tar(1), LayerSpec.base().withName("n"));
                    crashAt(FaultPoints.DELETE_STARTED);
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.delete("n"))
                            .isInstanceOf(SimulatedCrash.class);
                }
                case "LayerRolledBack" -> {
                    staged = store.stage(tar(1));
                    StagedLayer s = staged;
                    crashAt(FaultPoints.LAYER_MOVED);
                    org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> store.applyStaged(s.id(), LayerSpec.base().withName("n")))
                            .isInstanceOf(SimulatedCrash.class);
                }
                case "StagingDiscarded" -> {
                    crashAt(FaultPoints.STAGING_EXTRACTED);
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.stage(tar(1)))
                            .isInstanceOf(SimulatedCrash.class);
                }
                case "OrphanRemoved" -> java.nio.file.Files.createDirectories(
                        root.resolve("layers").resolve(LayerId.random().hex()).resolve("diff"));
                default -> throw new IllegalArgumentException(endEvent);
            }
            FaultPoints.install(null);
        }
        try (ChildJvm c = ChildJvm.start(root, "open", 1, "-Dcairn.crashAt=" + point)) {
            assertThat(c.exitStatus()).as("halted at %s; said %s", point, c.said()).isEqualTo(137);
            assertThat(c.said()).as("it never finished opening").doesNotContain("READY");
        }
        try (LayerStore store = LayerStore.open(root)) {
            // An orphan's removal is the whole of its saga: once done, the next recovery finds nothing to journal.
            long expected = endEvent.equals("OrphanRemoved") ? 0 : 1;
            try (var history = store.history(1)) {
                assertThat(history.filter(r -> r.event().type().equals(endEvent)).count())
                        .as("%s written %d times", endEvent, expected).isEqualTo(expected);
            }
            assertThat(store.layers()).isEmpty();
            StoreInvariants.check(store);
            if (staged != null) {
                assertThat(store.applyStaged(staged.id(), LayerSpec.base().withName("n")).layer().names())
                        .as("the staging got its contents back").containsExactly("n");
                StoreInvariants.check(store);
            }
        }
    }

    @Test
    void childrenKilledWithSigkillAtRandomMomentsLoseNothingAcknowledged() throws Exception {
        long seed = Long.getLong("cairn.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Set<String> acknowledged = new HashSet<>();
        Set<String> deleted = new HashSet<>(); // deleted, or being deleted when killed
        int rounds = Integer.getInteger("cairn.crash.rounds", 4);
        int kills = 0;
        for (int round = 0; round < rounds; round++) {
            Process p = child(null, "loop", 1000L * round);
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertThat(r.readLine()).as("the child opened the store").isEqualTo("READY");
            List<String> said = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(() -> {
                try {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        said.add(line);
                    }
                } catch (IOException e) {
                    said.add("READ FAILED " + e);
                }
            });
            reader.start();
            // The random moment counts from the child's first acknowledged put: on a loaded machine a fixed delay
            // from READY may end before the child got anything done, and the round would test nothing.
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (p.isAlive() && System.nanoTime() < until && said.stream().noneMatch(l -> l.startsWith("ACK "))) {
                Thread.sleep(20);
            }
            Thread.sleep(random.nextInt(2500));
            p.toHandle().destroyForcibly(); // SIGKILL, at a moment the child does not choose
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(30_000);
            for (String line : said) {
                if (line.startsWith("ACK ")) {
                    acknowledged.add(line.substring(4));
                } else if (line.startsWith("DELETING ")) {
                    deleted.add(line.substring(9));
                }
            }
            kills++;
            try (LayerStore store = LayerStore.open(root)) {
                StoreInvariants.check(store);
                for (String id : acknowledged) {
                    if (!deleted.contains(id)) {
                        assertThat(store.findLayer(id)).as("acknowledged %s (seed %d, round %d)", id, seed, round)
                                .isPresent();
                    }
                }
            }
        }
        assertThat(kills).isEqualTo(rounds);
        assertThat(acknowledged).as("the children got some work done (seed %d)", seed).isNotEmpty();
    }

    private static List<String> lines(Process p) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                out.add(line);
            }
        }
        return out;
    }
}
