package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.store.ChildJvm;
import dev.cairn.store.CrashChild;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryCommandTest {

    @TempDir
    Path dir;
    private CairnRun run;

    @BeforeEach
    void store() {
        run = new CairnRun(dir.resolve("store"));
    }

    @Test
    void aDeletedLayersLifeIsToldFromItsStagingToItsDeletion() throws Exception {
        String base = run.importTar(dir, "base.tar", List.of("--name", "base"), "etc/", "", "etc/motd", "hello\n");
        run.cairn("create", "--name", "other").ok();
        run.cairn("names", "base", "--add", "base2", "--add", "v1", "--remove", "base").ok();
        run.cairn("delete", "base2").ok();

        List<String> lines = run.cairn("history", "base").outLines();

        assertThat(lines).hasSize(8);
        assertThat(lines).allSatisfy(l -> assertThat(l).matches("\\d+ \\S+ \\S+@\\S+\\[\\d+\\]: .*"));
        assertThat(lines.get(0)).contains(": started staging ");
        assertThat(lines.get(1)).containsPattern(": staged [0-9a-f]{32} from an uncompressed tarball of \\d+ bytes, "
                + "sha256:[0-9a-f]{64}: diff sha256:" + base + ", \\d+ bytes");
        assertThat(lines.get(2)).contains(": began applying staging ").contains(" as layer " + base
                + " (a base layer), names base");
        assertThat(lines.get(3)).contains(": committed layer " + base + ": diff sha256:" + base);
        assertThat(lines.get(4)).contains(": cleaned up staging ");
        assertThat(lines.get(5)).endsWith(": names set to base2, v1 (were base)");
        assertThat(lines.get(6)).endsWith(": began deleting layer " + base);
        assertThat(lines.get(7)).endsWith(": deleted layer " + base);
        assertThat(run.cairn("history", base).outLines()).as("by its id too").isEqualTo(lines);
        assertThat(run.cairn("history", "v1").outLines()).as("by a later name").isEqualTo(lines);
    }

    @Test
    void aRolledBackLayersLifeEndsInItsRollBack() throws Exception {
        run.cairn("create", "--name", "base").ok();
        // a writer killed right after the start event of an empty layer's create (it halts there)
        try (ChildJvm child = ChildJvm.start(List.of(), List.of("-Dcairn.crashAt=" + FaultPoints.LAYER_CREATED),
                CrashChild.class, run.root().toString(), "create")) {
            assertThat(child.exitStatus()).isEqualTo(137);
        }
        run.cairn("create", "--name", "after").ok(); // a writer's open: its recovery rolls the dead saga back
        String id = new ObjectMapper().readTree(run.cairn("log", "--type", "LayerRolledBack", "--json").outLines()
                .get(0)).get("layer").asText();

        List<String> lines = run.cairn("history", id).outLines();

        assertThat(lines).hasSize(2);
        assertThat(lines).allSatisfy(l -> assertThat(l).matches("\\d+ \\S+ \\S+@\\S+\\[\\d+\\]: .*"));
        assertThat(lines.get(0)).endsWith(": began creating empty layer " + id + " (a base layer)");
        assertThat(lines.get(1)).contains(": rolled back layer " + id + ", never committed");
        run.cairn("inspect", id).refused(id.substring(0, 12));
    }

    @Test
    void jsonHasTheLogKeysAndTheSentence() throws Exception {
        run.cairn("create", "--name", "e").ok();

        List<JsonNode> records = new ArrayList<>();
        for (String line : run.cairn("history", "e", "--json").outLines()) {
            records.add(new ObjectMapper().readTree(line));
        }

        assertThat(records).hasSize(2);
        assertThat(records.get(0).fieldNames()).toIterable().startsWith("seq", "time", "type", "actor", "layer")
                .endsWith("prev", "hash", "summary");
        assertThat(records.get(0).get("summary").asText()).startsWith("began creating empty layer ")
                .endsWith("(a base layer), names e");
        assertThat(records.get(1).get("type").asText()).isEqualTo("LayerCommitted");
    }

    @Test
    void aLayerNoOneEverHadIsRefusedInOneLine() {
        run.cairn("create", "--name", "e").ok();

        run.cairn("history", "nope").refused("nope");
        run.cairn("history").usageError("REF");
    }
}
