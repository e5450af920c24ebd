package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.store.Caller;
import dev.cairn.store.ChildJvm;
import dev.cairn.store.LayerSpec;
import dev.cairn.store.LayerStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LogCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private CairnRun run;

    @BeforeEach
    void store() {
        run = new CairnRun(dir.resolve("store"));
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code cairn log --json ARGS}: the records printed. */
    private List<JsonNode> log(String... args) {
        List<String> all = new ArrayList<>(List.of("log", "--json"));
        all.addAll(List.of(args));
        CairnRun.Result r = run.cairn(all.toArray(String[]::new));
        r.ok();
        return r.outLines().stream().map(LogCommandTest::json).toList();
    }

    private static List<Long> seqs(List<JsonNode> records) {
        return records.stream().map(n -> n.get("seq").asLong()).toList();
    }

    private static List<String> types(List<JsonNode> records) {
        return records.stream().map(n -> n.get("type").asText()).toList();
    }

    /** Three empty layers a, b, c, then b renamed and c deleted: 2 + 2 + 2 + 1 + 2 records. */
    private void history() {
        for (String name : List.of("a", "b", "c")) {
            run.cairn("create", "--name", name).ok();
        }
        run.cairn("names", "b", "--set", "b2").ok();
        run.cairn("delete", "c").ok();
    }

    @Test
    void typeTakesRepeatsAndCommaListsInAnyCase() {
        history();

        assertThat(types(log("--type", "LayerCommitted"))).hasSize(3).containsOnly("LayerCommitted");
        List<JsonNode> two = log("--type", "LayerCreated,NamesSet");
        assertThat(types(two)).containsExactly("LayerCreated", "LayerCreated", "LayerCreated", "NamesSet");
        assertThat(seqs(log("--type", "layercreated", "--type", "namesset"))).isEqualTo(seqs(two));
    }

    @Test
    void anUnknownTypeIsAUsageErrorListingTheTypes() {
        history();

        run.cairn("log", "--type", "LayerCommited").usageError("unknown event type 'LayerCommited'",
                "LayerCommitted", "StagingStarted", "ImageDeleted");
    }

    @Test
    void actorMatchesTheUserThePrincipalOrTheRequestIdExactly() throws IOException {
        history();
        try (LayerStore store = LayerStore.open(run.root())) {
            LayerStore alice = store.as(new Caller("alice", "req-7", "10.0.0.5", "push library/alpine:3.20"));
            alice.create(LayerSpec.base().withName("hers"));
            alice.delete("hers");
        }

        List<JsonNode> hers = log("--actor", "alice");
        assertThat(types(hers)).containsExactly("LayerCreated", "LayerCommitted", "LayerDeleteStarted",
                "LayerDeleted");
        assertThat(hers).allSatisfy(r -> {
            assertThat(r.get("actor").get("principal").asText()).isEqualTo("alice");
            assertThat(r.get("actor").get("requestId").asText()).isEqualTo("req-7");
            assertThat(r.get("actor").get("client").asText()).isEqualTo("10.0.0.5");
            assertThat(r.get("actor").get("reason").asText()).isEqualTo("push library/alpine:3.20");
        });
        assertThat(seqs(log("--actor", "req-7"))).isEqualTo(seqs(hers));
        assertThat(log("--actor", "alic")).as("exact, not a part").isEmpty();
        assertThat(log("--actor", System.getProperty("user.name"))).hasSize(13);
        assertThat(log("--type", "NamesSet")).allSatisfy(r -> assertThat(r.get("actor").get("reason").isNull())
                .isTrue());

        List<String> text = run.cairn("log", "--actor", "alice").outLines();
        assertThat(text).hasSize(4).allSatisfy(l -> assertThat(l)
                .contains("{principal=alice,request=req-7,client=10.0.0.5,reason=\"push library/alpine:3.20\"} Layer"));
    }

    @Test
    void sinceAndUntilTakeSeqsAndRfc3339Times() {
        history();
        List<JsonNode> all = log();
        assertThat(seqs(all)).hasSize(9);

        assertThat(seqs(log("--since", "4"))).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(seqs(log("--until", "3"))).containsExactly(1L, 2L, 3L);
        assertThat(seqs(log("--since", "3", "--until", "5"))).containsExactly(3L, 4L, 5L);

        Instant t = Instant.parse(all.get(4).get("time").asText());
        List<Long> fromT = all.stream().filter(r -> !Instant.parse(r.get("time").asText()).isBefore(t))
                .map(r -> r.get("seq").asLong()).toList();
        List<Long> untilT = all.stream().filter(r -> !Instant.parse(r.get("time").asText()).isAfter(t))
                .map(r -> r.get("seq").asLong()).toList();
        assertThat(fromT).contains(5L).doesNotContain(1L);
        assertThat(seqs(log("--since", t.toString()))).isEqualTo(fromT);
        assertThat(seqs(log("--until", t.toString()))).isEqualTo(untilT);
        String withOffset = OffsetDateTime.ofInstant(t, ZoneOffset.ofHours(2)).toString();
        assertThat(seqs(log("--since", withOffset))).as(withOffset).isEqualTo(fromT);

        run.cairn("log", "--since", "yesterday").usageError("--since", "'yesterday'", "RFC 3339");
    }

    @Test
    void limitPrintsTheFirstNThatPassTheFilters() {
        history();

        assertThat(seqs(log("--limit", "2"))).containsExactly(1L, 2L);
        assertThat(seqs(log("--type", "LayerCommitted", "-n", "2"))).containsExactly(2L, 4L);
        assertThat(seqs(log("--since", "8", "--limit", "5"))).containsExactly(8L, 9L);
        run.cairn("log", "--limit", "0").usageError("--limit");
    }

    @Test
    void filtersCombineWithALayersLifeAlsoAfterItWasDeleted() {
        history();

        assertThat(types(log("--layer", "c"))).containsExactly("LayerCreated", "LayerCommitted",
                "LayerDeleteStarted", "LayerDeleted");
        assertThat(types(log("--layer", "c", "--type", "LayerDeleted,LayerCreated")))
                .containsExactly("LayerCreated", "LayerDeleted");
        assertThat(types(log("--layer", "b", "--since", "7"))).containsExactly("NamesSet");
        assertThat(types(log("--layer", "b2", "--limit", "1"))).containsExactly("LayerCreated");
    }

    @Test
    void followEndsAtOnceWhenTheHistoryAlreadyReachesUntilOrTheLimit() {
        history();

        assertThat(seqs(log("--follow", "--until", "3"))).containsExactly(1L, 2L, 3L);
        assertThat(seqs(log("-f", "--type", "LayerCommitted", "--limit", "2"))).containsExactly(2L, 4L);
    }

    /** A child process running {@code cairn ARGS} against the store, its stdout read by line. */
    private ChildJvm cairnChild(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--root", run.root().toString()));
        all.addAll(List.of(args));
        return ChildJvm.start(new ProcessBuilder(ChildJvm.command(List.of(), List.of(), Main.class,
                all.toArray(String[]::new))).redirectError(ProcessBuilder.Redirect.INHERIT));
    }

    /** Waits for the child to have printed {@code count} lines. */
    private static List<String> awaitLines(ChildJvm child, int count) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (child.said().size() < count && System.nanoTime() < until && child.process().isAlive()) {
            Thread.sleep(20);
        }
        return child.said();
    }

    @Test
    void followPrintsWhatAnotherProcessAppendsEachRecordOnceUntilTheLimit() throws Exception {
        history();

        try (ChildJvm follower = cairnChild("log", "--follow", "--json", "--limit", "15")) {
            assertThat(awaitLines(follower, 9)).as("the history first").hasSize(9);
            run.cairn("create", "--name", "d").ok();
            run.cairn("names", "d", "--add", "d2").ok();
            run.cairn("create", "--name", "e").ok();
            run.cairn("create", "--name", "f").ok();

            assertThat(follower.exitStatus()).as("ends once 15 records were printed").isZero();
            List<Long> seqs = follower.saidToTheEnd().stream().map(l -> json(l).get("seq").asLong()).toList();
            assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
        }
    }

    @Test
    void followKeepsItsFiltersAndALayersLifeAndRunsUntilStopped() throws Exception {
        history();

        try (ChildJvm follower = cairnChild("log", "-f", "--layer", "b2", "--type",
                "NamesSet,LayerDeleteStarted,LayerDeleted", "--since", "8")) {
            Thread.sleep(500);
            run.cairn("create", "--name", "other").ok();
            run.cairn("names", "b2", "--add", "x").ok();
            run.cairn("delete", "b2").ok();
            assertThat(awaitLines(follower, 3)).hasSize(3);
            run.cairn("create", "--name", "later").ok();
            Thread.sleep(1500);

            assertThat(follower.process().isAlive()).as("still following").isTrue();
            follower.process().destroy(); // SIGTERM
            assertThat(follower.exitStatus()).isEqualTo(143);
            List<String> lines = follower.saidToTheEnd();
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).matches("12 \\S+ \\S+ NamesSet [0-9a-f]{64} names=\\[\"b2\",\"x\"\\]");
            assertThat(lines.get(1)).matches("13 \\S+ \\S+ LayerDeleteStarted [0-9a-f]{64} .*");
            assertThat(lines.get(2)).matches("14 \\S+ \\S+ LayerDeleted [0-9a-f]{64}");
        }
    }
}
