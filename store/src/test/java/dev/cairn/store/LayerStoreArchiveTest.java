package dev.cairn.store;

import dev.cairn.journal.ArchivedRecordsException;
import dev.cairn.journal.JournalArchive;
import dev.cairn.journal.JournalClock;
import dev.cairn.journal.tlog.CheckpointKey;
import dev.cairn.journal.tlog.NoteVerifier;
import dev.cairn.journal.tlog.TlogProof;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.Layer;
import dev.cairn.model.internal.FaultPoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LayerStore#archiveJournal}: the cut, the store after it, refusals, crashes and a second process. */
class LayerStoreArchiveTest {

    @TempDir
    Path tmp;
    private Path root;
    private Path archive;
    /** The last seq of the journal's first two days (cycle files): what an archive before the third day takes. */
    private long twoDays;

    @BeforeEach
    void threeDaysOfLayers() throws IOException {
        root = tmp.resolve("store");
        archive = tmp.resolve("archives").resolve("journal-1.cjar");
        Files.createDirectories(archive.getParent());
        try {
            for (int day = -2; day <= 0; day++) {
                JournalClock.shiftDays(day);
                try (LayerStore store = LayerStore.open(root)) {
                    for (int i = 0; i < 2; i++) {
                        long seed = 10L * (day + 3) + i;
                        store.put(new ByteArrayInputStream(TestTars.layer(seed, 5)), LayerSpec.base()
                                .withName("day" + (day + 3) + "-" + i));
                    }
                    if (day == -1) {
                        twoDays = store.lastSeq();
                    }
                }
            }
        } finally {
            JournalClock.reset();
        }
    }

    @AfterEach
    void noFaults() {
        FaultPoints.install(null);
    }

    private List<Path> cycleFiles() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("journal"))) {
            return files.filter(f -> f.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private static List<JournalRecord> all(Stream<JournalRecord> records) {
        try (records) {
            return records.toList();
        }
    }

    @Test
    void after_the_archive_every_open_works_from_the_snapshot_and_verify_checks_both_ways() throws Exception {
        List<Layer> layers;
        List<JournalRecord> before;
        try (LayerStore store = LayerStore.open(root)) {
            layers = store.layers();
            before = all(store.history(1));
            ArchiveReport report = store.archiveJournal(twoDays + 3, archive, false);
            assertThat(report.firstSeq()).isEqualTo(1);
            assertThat(report.lastSeq()).isEqualTo(twoDays);
            assertThat(report.cycleFiles()).hasSize(2);
            assertThat(report.dryRun()).isFalse();
            assertThat(cycleFiles()).hasSize(1);
            assertThat(store.layers()).isEqualTo(layers);
        }
        for (boolean writable : new boolean[] {true, false}) {
            try (LayerStore store = writable ? LayerStore.open(root)
                    : LayerStore.openReadOnly(root, StoreOptions.defaults())) {
                assertThat(store.layers()).isEqualTo(layers);
                assertThat(store.startedFrom()).isGreaterThanOrEqualTo(twoDays);
                ArchivedRecords prefix = store.archivedRecords().orElseThrow();
                assertThat(prefix.lastSeq()).isEqualTo(twoDays);
                assertThat(prefix.archive()).isEqualTo(archive.toString());
                StoreVerifyReport live = store.verify(false);
                assertThat(live.ok()).isTrue();
                assertThat(live.records()).isEqualTo(store.lastSeq() - twoDays);
                ArchiveVerifyReport whole = store.verifyArchives(List.of(archive));
                assertThat(whole.archivedRecords()).isEqualTo(twoDays);
                assertThat(whole.lastSeq()).isEqualTo(store.lastSeq());
                assertThat(whole.treeRoot()).isNotNull();
                assertThat(whole.treeAgrees()).isTrue();
                assertThatThrownBy(() -> all(store.history(1))).isInstanceOf(UncheckedIOException.class)
                        .cause().isInstanceOf(ArchivedRecordsException.class).hasMessageContaining(
                                "records before seq " + (twoDays + 1) + " are in archive " + archive);
                List<JournalRecord> joined = all(store.withArchives(List.of(archive)).history(1));
                assertThat(joined.subList(0, before.size())).isEqualTo(before);
                assertThat(store.withArchives(List.of(archive)).layerHistory("day1-0")).isNotEmpty();
                assertThat(store.withArchives(List.of(archive)).layersAsOf(twoDays)).hasSize(4);
                assertThatThrownBy(() -> store.layersAsOf(twoDays)).isInstanceOf(ArchivedRecordsException.class);
                JournalRecord event = joined.get(joined.size() - 1);
                assertThat(event.event()).isInstanceOfSatisfying(Event.JournalArchived.class, a -> {
                    assertThat(a.lastSeq()).isEqualTo(twoDays);
                    assertThat(a.archive()).isEqualTo(archive.toString());
                });
            }
        }
        try (LayerStore store = LayerStore.open(root)) {
            store.put(new ByteArrayInputStream(TestTars.layer(99, 3)), LayerSpec.base().withName("after"));
            assertThat(store.verify(true).ok()).isTrue();
            assertThat(store.verifyArchives(List.of(archive)).treeAgrees()).isTrue();
        }
    }

    @Test
    void a_tampered_or_wrong_archive_is_named_by_verify() throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            store.archiveJournal(twoDays + 1, archive, false);
        }
        byte[] good = Files.readAllBytes(archive);
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 1;
        Files.write(archive, flipped);
        try (LayerStore store = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
            assertThatThrownBy(() -> store.verifyArchives(List.of(archive))).hasMessageContaining(archive.toString());
            Files.write(archive, java.util.Arrays.copyOf(good, good.length - 7));
            assertThatThrownBy(() -> store.verifyArchives(List.of(archive))).hasMessageContaining(archive.toString());
            Files.write(archive, good);
            assertThat(store.verifyArchives(List.of(archive)).treeAgrees()).isTrue();
            assertThat(store.verify(false).ok()).isTrue();
        }
    }

    @Test
    void a_dry_run_changes_nothing_and_says_where_the_archive_would_end() throws IOException {
        List<Path> files = cycleFiles();
        try (LayerStore store = LayerStore.open(root)) {
            long last = store.lastSeq();
            ArchiveReport r = store.archiveJournal(twoDays + 2, archive, true);
            assertThat(r.lastSeq()).isEqualTo(twoDays);
            assertThat(r.dryRun()).isTrue();
            assertThat(store.lastSeq()).isEqualTo(last);
        }
        assertThat(cycleFiles()).isEqualTo(files);
        assertThat(archive).doesNotExist();
    }

    @Test
    void with_snapshots_disabled_it_refuses_and_without_a_covering_one_it_writes_one_first() throws IOException {
        List<Path> files = cycleFiles();
        Path snapshots = root.resolve("snapshots");
        try (Stream<Path> each = Files.list(snapshots)) {
            for (Path p : each.toList()) {
                Files.delete(p);
            }
        }
        StoreOptions none = StoreOptions.defaults().withSnapshots(SnapshotPolicy.NONE);
        try (LayerStore store = LayerStore.open(root, none)) {
            long last = store.lastSeq();
            assertThatThrownBy(() -> store.archiveJournal(twoDays + 1, archive, false)).hasMessage(
                    "index snapshots are disabled for this store: after the cut no open could build the index (an "
                    + "open after an archive starts from a snapshot); nothing archived");
            assertThat(store.lastSeq()).isEqualTo(last);
        }
        assertThat(cycleFiles()).isEqualTo(files);
        assertThat(archive).doesNotExist();
        // With snapshots on, one is written for the cut first.
        try (LayerStore store = LayerStore.open(root, StoreOptions.defaults().withSnapshots(SnapshotPolicy.DEFAULT
                .withOnCloseRecords(Long.MAX_VALUE / 2)))) {
            ArchiveReport r = store.archiveJournal(twoDays + 1, archive, false);
            assertThat(r.snapshotWritten()).isTrue();
            assertThat(r.snapshotSeq()).isGreaterThanOrEqualTo(twoDays);
        }
        try (LayerStore store = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
            assertThat(store.layers()).hasSize(6);
        }
        try (Stream<Path> each = Files.list(snapshots)) {
            for (Path p : each.toList()) {
                Files.delete(p);
            }
        }
        assertThatThrownBy(() -> LayerStore.openReadOnly(root, StoreOptions.defaults())).hasMessageContaining(
                "without the index snapshot that covers seq " + twoDays + ", and no usable one does");
        assertThatThrownBy(() -> LayerStore.open(root, none)).hasMessageEndingWith(
                "(snapshots are disabled for this open)");
    }

    @Test
    void nothing_before_the_first_whole_cycle_file_is_refused_in_one_line() throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            assertThatThrownBy(() -> store.archiveJournal(2, archive, false)).hasMessageStartingWith(
                    "nothing to archive before seq 2");
            assertThatThrownBy(() -> store.archiveJournal(twoDays, tmp.resolve("store/journal/x"), false))
                    .hasMessageContaining("is inside the store");
        }
        assertThat(archive).doesNotExist();
    }

    /**
     * Each point twice: the child halts itself there ({@code -Dcairn.crashAt}, no finally block runs), or pauses there
     * and is killed with SIGKILL by this process (at the cut it holds the journal's append lock meanwhile).
     */
    @ParameterizedTest(name = "killed at {0}, {1}")
    @CsvSource({FaultPoints.ARCHIVE_WRITTEN + ",halt", FaultPoints.ARCHIVE_JOURNALED + ",halt",
            FaultPoints.ARCHIVE_CUT + ",halt", FaultPoints.ARCHIVE_FILE_REMOVED + ",halt",
            FaultPoints.ARCHIVE_WRITTEN + ",sigkill", FaultPoints.ARCHIVE_JOURNALED + ",sigkill",
            FaultPoints.ARCHIVE_CUT + ",sigkill", FaultPoints.ARCHIVE_FILE_REMOVED + ",sigkill"})
    void a_crash_leaves_the_journal_whole_or_the_cut_complete_and_the_next_run_finishes(String point, String how)
            throws Exception {
        List<JournalRecord> before;
        try (LayerStore store = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
            before = all(store.history(1));
        }
        boolean halt = how.equals("halt");
        try (ChildJvm child = ChildJvm.start(List.of(), List.of(halt ? "-Dcairn.crashAt=" + point
                        : "-Dcairn.test.pauseAt=" + point), ArchiveChild.class, root.toString(), "archive",
                Long.toString(twoDays + 1), archive.toString())) {
            child.await("READY");
            if (!halt) {
                child.await("PAUSED " + point);
                child.kill();
            }
            assertThat(child.exitStatus()).isEqualTo(137);
        }
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.verify(false).ok()).isTrue();
            if (store.archivedRecords().isEmpty()) {
                // The old journal, whole (perhaps with the JournalArchived record of the cut to come).
                assertThat(all(store.history(1)).subList(0, before.size())).isEqualTo(before);
            } else {
                assertThat(JournalArchive.verify(archive).header().lastSeq()).isEqualTo(twoDays);
                assertThat(all(store.withArchives(List.of(archive)).history(1)).subList(0, before.size()))
                        .isEqualTo(before);
            }
            if (store.archivedRecords().isEmpty()) {
                ArchiveReport again = store.archiveJournal(twoDays + 1, archive, false);
                assertThat(again.resumed()).as("the complete archive file is reused").isTrue();
            }
            assertThat(store.archivedRecords().orElseThrow().lastSeq()).isEqualTo(twoDays);
            List<JournalRecord> joined = all(store.withArchives(List.of(archive)).history(1));
            assertThat(joined.subList(0, before.size())).isEqualTo(before);
            assertThat(joined.stream().filter(r -> r.event() instanceof Event.JournalArchived)).hasSize(1);
            assertThat(store.verifyArchives(List.of(archive)).treeAgrees()).isTrue();
            assertThat(store.layers()).hasSize(6);
        }
    }

    @Test
    void a_second_process_tailing_the_journal_reads_on_across_the_cut() throws Exception {
        try (ChildJvm tail = ChildJvm.start(List.of(), List.of(), ArchiveChild.class, root.toString(), "tail")) {
            tail.await("READY");
            try (LayerStore store = LayerStore.open(root)) {
                store.archiveJournal(twoDays + 1, archive, false);
                assertThat(tail.await("SEQ")).contains("JournalArchived LAYERS 6");
                store.put(new ByteArrayInputStream(TestTars.layer(77, 3)), LayerSpec.base().withName("later"));
                String next = tail.await("SEQ");
                assertThat(next).doesNotContain("FAILED");
                assertThat(tail.said()).noneMatch(l -> l.startsWith("FAILED"));
            }
        }
    }

    @Test
    void proofs_work_across_the_cut_consistency_without_the_archive_records_with_it() throws Exception {
        StoreCheckpoint kept;
        try (StoreProofs proofs = StoreProofs.openForSigning(root)) {
            kept = proofs.checkpoint();
        }
        try (LayerStore store = LayerStore.open(root)) {
            store.archiveJournal(twoDays + 1, archive, false);
        }
        byte[] note = kept.note().getBytes(UTF_8);
        NoteVerifier key = CheckpointKey.readVerifier(
                root.resolve("keys"));
        try (StoreProofs proofs = StoreProofs.open(root)) {
            CheckpointConsistency c = proofs.verifyCheckpoint(note, "kept", null);
            assertThat(c.checkpointSize()).isEqualTo(kept.size());
            assertThat(c.journalSize()).isGreaterThan(kept.size());
            assertThatThrownBy(() -> proofs.prove(2, note, "kept", null)).isInstanceOf(ArchivedRecordsException.class)
                    .hasMessageContaining("records before seq " + (twoDays + 1) + " are in archive " + archive);
            String live = proofs.prove(twoDays + 1, note, "kept", null);
            assertThat(TlogProof.parse(live.getBytes(UTF_8),
                    "p").verify(key, "p").size()).isEqualTo(kept.size());
        }
        try (StoreProofs proofs = StoreProofs.open(root, true, List.of(archive))) {
            for (long seq : new long[] {1, 2, twoDays}) {
                String proof = proofs.prove(seq, note, "kept", null);
                assertThat(TlogProof.parse(proof.getBytes(
                        UTF_8), "p").verify(key, "p").size()).isEqualTo(kept.size());
            }
            assertThat(proofs.checkpoint().size()).isGreaterThan(kept.size());
        }
    }

    @Test
    void two_processes_archiving_at_once_take_turns_and_the_second_finds_nothing_left() throws Exception {
        Path go = tmp.resolve("go");
        Path other = tmp.resolve("archives").resolve("other.cjar");
        try (ChildJvm child = ChildJvm.start(List.of(), List.of("-Dcairn.test.pauseAt=" + FaultPoints.ARCHIVE_WRITTEN,
                        "-Dcairn.test.pauseUntil=" + go), ArchiveChild.class, root.toString(), "archive",
                Long.toString(twoDays + 1), archive.toString());
             LayerStore store = LayerStore.open(root)) {
            child.await("PAUSED");
            java.util.concurrent.CompletableFuture<ArchiveReport> second = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return store.archiveJournal(twoDays + 1, other, false);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
            Thread.sleep(1000); // lets the second archive reach the lock the first holds (not a timed assertion)
            Files.createFile(go);
            assertThat(child.await("ARCHIVED")).isEqualTo("ARCHIVED " + twoDays);
            assertThatThrownBy(second::join).hasRootCauseMessage("nothing to archive before seq " + (twoDays + 1)
                    + ": no whole cycle file but the last holds only records from seq " + (twoDays + 1) + " to "
                    + twoDays + " (a cycle file is one UTC day)");
            assertThat(other).doesNotExist();
            assertThat(all(store.withArchives(List.of(archive)).history(1))).filteredOn(r -> r.event()
                    instanceof Event.JournalArchived).hasSize(1);
        }
    }
}
