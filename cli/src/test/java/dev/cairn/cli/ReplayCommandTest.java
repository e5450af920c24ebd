package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private CairnRun run;

    @BeforeEach
    void store() {
        run = new CairnRun(dir.resolve("store"));
    }

    private JsonNode json(String... args) throws Exception {
        return JSON.readTree(run.cairn(args).out());
    }

    private String lastTime() throws Exception {
        List<String> log = run.cairn("log", "--json").outLines();
        return JSON.readTree(log.get(log.size() - 1)).get("time").asText();
    }

    @Test
    void untilTakesATimeAndMeansTheLastRecordAppendedByThen() throws Exception {
        run.cairn("create", "--name", "a").ok();
        String afterA = lastTime();
        run.cairn("create", "--name", "b").ok();

        JsonNode then = json("replay", "--until", afterA, "--json");

        assertThat(then).hasSize(1);
        assertThat(then.get(0).get("names").get(0).asText()).isEqualTo("a");
        assertThat(json("replay", "--until", "1999-01-01T00:00:00Z", "--json")).isEmpty();
        assertThat(json("replay", "--until", lastTime(), "--json")).hasSize(2);
        run.cairn("replay", "--until", "soon").usageError("--until", "RFC 3339");
    }

    @Test
    void fromAndToSayWhatChangedBetweenTwoPoints() throws Exception {
        String a = run.cairn("create", "--name", "a").ok();
        String b = run.cairn("create", "--name", "b").ok();
        String start = "4";
        run.cairn("names", "a", "--set", "a2").ok();
        run.cairn("delete", "b").ok();
        String c = run.cairn("create", "--name", "c").ok();
        String sid = run.cairn("stage", CairnRun.tar(dir.resolve("s.tar"), "f", "x").toString()).ok();

        JsonNode changes = json("replay", "--from", start, "--to", lastTime(), "--json");

        assertThat(changes.get("from").asLong()).isEqualTo(4);
        assertThat(changes.get("to").asLong()).isEqualTo(run.cairn("log").outLines().size());
        assertThat(changes.get("layersAdded")).singleElement().satisfies(l -> {
            assertThat(l.get("id").asText()).isEqualTo(c);
            assertThat(l.has("chainId")).isTrue();
        });
        assertThat(changes.get("layersRemoved")).singleElement()
                .satisfies(l -> assertThat(l.get("id").asText()).isEqualTo(b));
        assertThat(changes.get("layersRenamed").toString())
                .isEqualTo("[{\"id\":\"" + a + "\",\"before\":[\"a\"],\"after\":[\"a2\"]}]");
        assertThat(changes.get("stagings").toString())
                .isEqualTo("[{\"id\":\"" + sid + "\",\"before\":null,\"after\":\"staged\"}]");
        assertThat(changes.get("imagesAdded")).isEmpty();
        assertThat(changes.get("imagesRemoved")).isEmpty();
        assertThat(changes.get("imagesRenamed")).isEmpty();

        List<String> text = run.cairn("replay", "--from", start, "--to", lastTime()).outLines();
        assertThat(text).containsExactly(
                "changes from seq 4 to seq " + changes.get("to").asLong() + ":",
                "+ layer " + c + " c",
                "- layer " + b + " b",
                "~ layer " + a + " names a -> a2",
                "+ staging " + sid + " (none) -> staged");
        assertThat(run.cairn("replay", "--from", "4", "--to", "4").outLines())
                .containsExactly("changes from seq 4 to seq 4: none");
    }

    @Test
    void pointsThatDoNotMakeARangeAreUsageErrors() {
        run.cairn("create", "--name", "a").ok();

        run.cairn("replay", "--from", "2", "--to", "1").usageError("comes after");
        run.cairn("replay", "--from", "1").usageError("--from and --to go together");
        run.cairn("replay").usageError("--until");
        run.cairn("replay", "--until", "1", "--from", "0", "--to", "1").usageError("cannot be combined");
        run.cairn("replay", "--from", "0", "--to", "1", "--images").usageError("--images");
        run.cairn("replay", "--from", "0", "--to", "9").refused("9");
    }
}
