package dev.cairn.cli;

import dev.cairn.journal.JournalClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cairn archive}, and log, history, replay, verify and prove after it, with and without --archive. */
class ArchiveCommandTest {

    @TempDir
    Path dir;
    private Path root;
    private Path archive;

    /** layer-1 and layer-2 two days ago (seq 1-4), layer-3 and layer-4 yesterday (5-8), layer-5 today (9-10). */
    @BeforeEach
    void threeDays() {
        root = dir.resolve("store");
        archive = dir.resolve("journal-1.cjar");
        try {
            JournalClock.shiftDays(-2);
            CliRun.addLayers(root, 1, 2);
            JournalClock.shiftDays(-1);
            CliRun.addLayers(root, 3, 4);
        } finally {
            JournalClock.reset();
        }
        CliRun.addLayers(root, 5, 5);
    }

    @Test
    void archive_says_where_it_ends_and_the_other_commands_read_the_archive_or_say_where_it_is() throws IOException {
        CliRun.Result dry = CliRun.cairn(root, "archive", "--before", "8", "--to", archive.toString(), "--dry-run");
        assertThat(dry.status()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("would archive: records 1 to 4 (4); the last whole cycle file before seq 8 "
                + "ends at seq 4").contains("would remove:   1 cycle file from the journal");
        assertThat(archive).doesNotExist();

        CliRun.Result r = CliRun.cairn(root, "archive", "--before", "9", "--to", archive.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("archived:       records 1 to 8 (8)\n")
                .contains("removed:        2 cycle files from the journal")
                .contains("journal:        begins at seq 9 now; records before it are in " + archive);
        assertThat(Files.size(archive)).isPositive();

        CliRun.Result log = CliRun.cairn(root, "log");
        assertThat(log.status()).as(log.err()).isZero();
        assertThat(log.err()).contains("records before seq 9 are in archive " + archive
                + " (give it with --archive to read them)");
        assertThat(log.out()).contains("JournalArchived").doesNotContain("layer-1");
        CliRun.Result all = CliRun.cairn(root, "log", "--archive", archive.toString());
        assertThat(all.status()).as(all.err()).isZero();
        assertThat(all.out()).contains("layer-1").contains("JournalArchived");

        CliRun.Result history = CliRun.cairn(root, "history", "layer-1");
        assertThat(history.status()).isEqualTo(Main.FAILED);
        assertThat(history.errLines()).singleElement().asString().contains("records before seq 9 are in archive "
                + archive);
        assertThat(CliRun.cairn(root, "history", "layer-1", "--archive", archive.toString()).status()).isZero();
        CliRun.Result replay = CliRun.cairn(root, "replay", "--until", "4", "--archive", archive.toString());
        assertThat(replay.status()).as(replay.err()).isZero();
        assertThat(replay.out()).contains("layer-2").doesNotContain("layer-3");

        CliRun.Result verify = CliRun.cairn(root, "verify");
        assertThat(verify.status()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("(seq 9 on; the first links to the last archived record")
                .contains("archived:         records before seq 9 are in " + archive);
        CliRun.Result whole = CliRun.cairn(root, "verify", "--archive", archive.toString());
        assertThat(whole.status()).as(whole.err()).isZero();
        assertThat(whole.out()).contains("archives:         1 checked, records 1 to 8")
                .contains(", the tree file's");
    }

    @Test
    void a_damaged_archive_fails_verify_naming_it_and_a_second_archive_is_refused_when_there_is_nothing()
            throws IOException {
        assertThat(CliRun.cairn(root, "archive", "--before", "9", "--to", archive.toString()).status()).isZero();
        byte[] bytes = Files.readAllBytes(archive);
        bytes[bytes.length / 2] ^= 4;
        Files.write(archive, bytes);
        CliRun.Result r = CliRun.cairn(root, "verify", "--archive", archive.toString());
        assertThat(r.status()).isEqualTo(Main.FAILED);
        assertThat(r.errLines()).singleElement().asString().startsWith("cairn: ").contains(archive.toString());
        CliRun.Result again = CliRun.cairn(root, "archive", "--before", "11", "--to", dir.resolve("b").toString());
        assertThat(again.status()).isEqualTo(Main.FAILED);
        assertThat(again.errLines()).singleElement().asString().startsWith("cairn: nothing to archive before seq 11");
    }
}
