package dev.cairn.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole-process benchmark's table: medians of hyperfine's run times and ratios to the named peers. */
class HyperfineTableTest {

    @TempDir
    Path dir;

    @Test
    void eachCommandGetsItsMedianAndItsRatioToEveryPeer() throws IOException {
        Path json = Files.writeString(dir.resolve("import.json"), """
                {"results": [
                  {"command": "tar -xf", "user": 0.1, "system": 0.2, "times": [1.0, 3.0, 2.0]},
                  {"command": "tar -xf && sync -f", "user": 0.1, "system": 0.3, "times": [4.0, 4.0]},
                  {"command": "cairn import", "user": 1.5, "system": 0.5, "times": [5.0, 1.0, 6.0, 7.0, 2.0]}
                ]}""");

        String table = HyperfineTable.table(json + "=tar -xf|tar -xf && sync -f");

        assertThat(table.lines()).containsExactly(
                "| command | runs | median s | min s | max s | user s | sys s | ratio (median) |",
                "|---|---:|---:|---:|---:|---:|---:|---|",
                "| tar -xf | 3 | 2.000 | 1.000 | 3.000 | 0.100 | 0.200 | peer |",
                "| tar -xf && sync -f | 2 | 4.000 | 4.000 | 4.000 | 0.100 | 0.300 | peer |",
                "| cairn import | 5 | 5.000 | 1.000 | 7.000 | 1.500 | 0.500 | 2.50× tar -xf; 1.25× tar -xf && sync -f |");
    }

    @Test
    void aGroupWithoutPeersHasNoRatios() throws IOException {
        Path json = Files.writeString(dir.resolve("start.json"),
                "{\"results\": [{\"command\": \"cairn --help\", \"user\": 0, \"system\": 0, \"times\": [0.2]}]}");

        assertThat(HyperfineTable.table(json.toString()).lines().skip(2))
                .containsExactly("| cairn --help | 1 | 0.200 | 0.200 | 0.200 | 0.000 | 0.000 |  |");
    }
}
