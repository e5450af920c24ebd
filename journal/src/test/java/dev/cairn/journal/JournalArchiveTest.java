package dev.cairn.journal;

import dev.cairn.io.CorruptFrameException;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.cairn.journal.SampleEvents.ACTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Archiving whole cycle files: the archive file, the cut, and the journal read and verified after it. */
class JournalArchiveTest {

    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("journal");
    }

    /** Records 1-3 on day 1, 4-6 on day 2, 7-8 on day 3: three cycle files. */
    private List<JournalRecord> threeDays() throws IOException {
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2026-01-01T12:00:00Z"));
        List<JournalRecord> written = new ArrayList<>();
        try (ChronicleJournal journal = ChronicleJournal.open(dir(), time)) {
            for (int i = 1; i <= 8; i++) {
                written.add(journal.append(new Event.OrphanRemoved("MARKER-" + i, null), ACTOR));
                if (i == 3 || i == 6) {
                    time.advanceMillis(TimeUnit.DAYS.toMillis(1));
                }
            }
        }
        assertThat(QueueFiles.cycleFiles(dir())).hasSize(3);
        return written;
    }

    private static List<JournalRecord> readAll(JournalCursor cursor) throws IOException {
        List<JournalRecord> out = new ArrayList<>();
        JournalRecord r;
        while ((r = cursor.next()) != null) {
            out.add(r);
        }
        cursor.close();
        return out;
    }

    private ArchivedPrefix archive(ChronicleJournal journal, long before, Path file) throws IOException {
        ChronicleJournal.ArchivePlan plan = journal.planArchive(before).orElseThrow();
        JournalArchive.Written written = JournalArchive.write(journal, plan.firstSeq(), plan.lastSeq(), file);
        return journal.cutArchived(plan, written);
    }

    @Test
    void a_plan_takes_whole_cycle_files_before_the_seq_and_never_the_last() throws IOException {
        threeDays();
        try (ChronicleJournal journal = ChronicleJournal.open(dir())) {
            assertThat(journal.planArchive(3)).isEmpty();
            assertThat(journal.planArchive(4).orElseThrow().lastSeq()).isEqualTo(3);
            assertThat(journal.planArchive(6).orElseThrow().lastSeq()).isEqualTo(3);
            ChronicleJournal.ArchivePlan two = journal.planArchive(7).orElseThrow();
            assertThat(two.firstSeq()).isEqualTo(1);
            assertThat(two.lastSeq()).isEqualTo(6);
            assertThat(two.cycleFiles()).hasSize(2);
            assertThat(journal.planArchive(1000).orElseThrow().lastSeq()).isEqualTo(6);
        }
    }

    @Test
    void after_the_cut_the_journal_opens_verifies_and_goes_on_from_its_first_kept_record() throws IOException {
        List<JournalRecord> written = threeDays();
        Path file = tmp.resolve("a1.cjar");
        try (ChronicleJournal journal = ChronicleJournal.open(dir())) {
            ArchivedPrefix prefix = archive(journal, 7, file);
            assertThat(prefix.lastSeq()).isEqualTo(6);
            assertThat(prefix.lastHash()).isEqualTo(written.get(5).hash());
            assertThat(QueueFiles.cycleFiles(dir())).hasSize(1);
            assertThat(journal.verify()).isEqualTo(new VerifyReport(2, 8, written.get(7).hash()));
            assertThat(readAll(journal.read(7))).extracting(JournalRecord::seq).containsExactly(7L, 8L);
            assertThatThrownBy(() -> journal.read(1).next()).isInstanceOf(ArchivedRecordsException.class)
                    .hasMessage("record 1 is archived: records before seq 7 are in archive " + file
                            + " (give it with --archive)");
            assertThat(journal.append(new Event.OrphanRemoved("after", null), ACTOR).prev())
                    .isEqualTo(written.get(7).hash());
        }
        for (TrustedPrefix trusted : new TrustedPrefix[] {null, new TrustedPrefix(6, written.get(5).hash()),
                new TrustedPrefix(7, written.get(6).hash())}) {
            try (ChronicleJournal journal = ChronicleJournal.openAfter(dir(), trusted)) {
                assertThat(journal.lastSeq()).isEqualTo(9);
                assertThat(journal.openReport().refusal()).isEmpty();
            }
        }
        try (ChronicleJournal journal = ChronicleJournal.openReadOnlyAfter(dir(),
                new TrustedPrefix(6, written.get(0).hash()))) {
            assertThat(journal.openReport().refusal()).hasValueSatisfying(r -> assertThat(r).contains("archived"));
        }
        List<JournalRecord> archived = new ArrayList<>();
        try (ChronicleJournal journal = ChronicleJournal.openReadOnly(dir())) {
            List<JournalArchive.Header> headers = ArchiveChain.read(List.of(file), journal.archivedPrefix(), true,
                    (seq, bytes) -> archived.add(RecordCodec.decode(bytes, seq, () -> "test")));
            assertThat(headers).hasSize(1);
            assertThat(archived).isEqualTo(written.subList(0, 6));
            assertThat(readAll(ArchiveChain.cursor(List.of(file), journal, journal.archivedPrefix(), 5)))
                    .extracting(JournalRecord::seq).containsExactly(5L, 6L, 7L, 8L, 9L);
        }
    }

    @Test
    void archives_follow_one_another_and_a_later_cut_removes_what_an_earlier_one_left() throws IOException {
        List<JournalRecord> written = threeDays();
        Path first = tmp.resolve("a1.cjar");
        Path second = tmp.resolve("a2.cjar");
        try (ChronicleJournal journal = ChronicleJournal.open(dir())) {
            archive(journal, 4, first);
        }
        SetTimeProvider day4 = new SetTimeProvider(Instant.parse("2026-01-04T12:00:00Z"));
        try (ChronicleJournal journal = ChronicleJournal.open(dir(), day4)) {
            journal.append(new Event.OrphanRemoved("MARKER-9", null), ACTOR);
            archive(journal, 9, second);
            assertThat(journal.archivedPrefix().orElseThrow().lastSeq()).isEqualTo(8);
            List<Long> seqs = new ArrayList<>();
            ArchiveChain.read(List.of(second, first), journal.archivedPrefix(), true, (seq, bytes) -> seqs.add(seq));
            assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            // A cursor runs from inside the first archive through the second into the live journal, once each.
            assertThat(readAll(ArchiveChain.cursor(List.of(second, first), journal, journal.archivedPrefix(), 2)))
                    .extracting(JournalRecord::seq).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(readAll(ArchiveChain.cursor(List.of(second, first), journal, journal.archivedPrefix(), 6)))
                    .extracting(JournalRecord::seq).containsExactly(6L, 7L, 8L, 9L);
            assertThatThrownBy(() -> ArchiveChain.read(List.of(second), journal.archivedPrefix(), true,
                    (seq, bytes) -> { })).isInstanceOf(CorruptFrameException.class).hasMessageContaining(
                    "begins at seq 4");
            assertThatThrownBy(() -> ArchiveChain.read(List.of(first), journal.archivedPrefix(), true,
                    (seq, bytes) -> { })).hasMessageContaining("ends at seq 3 but the journal's archived records "
                    + "end at seq 8");
            assertThat(journal.verify().lastHash()).isNotEqualTo(written.get(7).hash());
        }
    }

    @Test
    void a_flipped_bit_a_cut_file_and_another_journals_archive_are_named() throws IOException {
        threeDays();
        Path file = tmp.resolve("a1.cjar");
        try (ChronicleJournal journal = ChronicleJournal.open(dir())) {
            archive(journal, 7, file);
        }
        byte[] good = Files.readAllBytes(file);
        for (int at : new int[] {40, good.length / 2, good.length - 2}) {
            byte[] flipped = good.clone();
            flipped[at] ^= 0x10;
            Files.write(file, flipped);
            assertThatThrownBy(() -> JournalArchive.verify(file)).as("a bit flipped at %d", at)
                    .isInstanceOf(CorruptFrameException.class).hasMessageContaining(file.toString());
            // A cursor returns no record of a damaged archive, not even those before the damage.
            try (ChronicleJournal journal = ChronicleJournal.openReadOnly(dir());
                 JournalCursor cursor = ArchiveChain.cursor(List.of(file), journal, journal.archivedPrefix(), 1)) {
                assertThatThrownBy(cursor::next).as("a bit flipped at %d", at)
                        .isInstanceOf(CorruptFrameException.class).hasMessageContaining(file.toString());
            } catch (CorruptFrameException headerDamaged) {
                assertThat(headerDamaged).as("a bit flipped at %d", at).hasMessageContaining(file.toString());
            }
        }
        try (RandomAccessFile cut = new RandomAccessFile(file.toFile(), "rw")) {
            Files.write(file, good);
            cut.setLength(good.length - 100);
        }
        assertThatThrownBy(() -> JournalArchive.verify(file)).isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining(file.toString());
        Files.write(file, good);
        assertThat(JournalArchive.verify(file).header().lastSeq()).isEqualTo(6);

        // Another journal of the same shape: its archive does not join this one.
        Path other = tmp.resolve("other");
        try (ChronicleJournal journal = ChronicleJournal.open(other)) {
            for (int i = 1; i <= 6; i++) {
                journal.append(new Event.OrphanRemoved("OTHER-" + i, null), ACTOR);
            }
            Path wrong = tmp.resolve("wrong.cjar");
            JournalArchive.write(journal, 1, 6, wrong);
            try (ChronicleJournal mine = ChronicleJournal.openReadOnly(dir())) {
                assertThatThrownBy(() -> ArchiveChain.read(List.of(wrong), mine.archivedPrefix(), true,
                        (seq, bytes) -> { })).isInstanceOf(CorruptFrameException.class)
                        .hasMessageContaining("is not the archive of this journal");
            }
        }
    }

    @Test
    void a_reader_placed_before_the_cut_reads_on_or_is_told_where_the_records_went() throws IOException {
        List<JournalRecord> written = threeDays();
        try (ChronicleJournal reader = ChronicleJournal.openReadOnly(dir());
             ChronicleJournal writer = ChronicleJournal.open(dir())) {
            JournalCursor early = reader.read(1);
            assertThat(early.next()).isEqualTo(written.get(0));
            JournalCursor unplaced = reader.read(2);
            archive(writer, 7, tmp.resolve("a1.cjar"));
            assertThatThrownBy(unplaced::next).isInstanceOf(ArchivedRecordsException.class);
            List<JournalRecord> rest = new ArrayList<>();
            try {
                JournalRecord r;
                while ((r = early.next()) != null) {
                    rest.add(r);
                }
                assertThat(rest).isEqualTo(written.subList(1, 8));
            } catch (ArchivedRecordsException e) {
                assertThat(e.seq()).isBetween(2L, 6L);
                assertThat(rest).isEqualTo(written.subList(1, (int) e.seq() - 1));
            }
            assertThat(reader.verify().records()).isEqualTo(2);
            assertThat(readAll(reader.read(7))).hasSize(2);
        }
    }

    @Test
    void repair_keeps_the_archived_prefix_and_cuts_only_damage() throws IOException {
        threeDays();
        try (ChronicleJournal journal = ChronicleJournal.open(dir())) {
            archive(journal, 7, tmp.resolve("a1.cjar"));
        }
        JournalEdits.damage(QueueFiles.cycleFiles(dir()).get(0), "MARKER-8");
        JournalRepair.Result result = JournalRepair.repair(dir(), ACTOR);
        assertThat(result.changed()).isTrue();
        assertThat(result.lastGoodSeq()).isEqualTo(7);
        assertThat(result.lostRecords()).isEqualTo(1);
        try (ChronicleJournal journal = ChronicleJournal.open(dir())) {
            assertThat(journal.archivedPrefix().map(ArchivedPrefix::lastSeq)).isEqualTo(Optional.of(6L));
            assertThat(journal.lastSeq()).isEqualTo(8);
            assertThat(journal.verify().records()).isEqualTo(2);
        }
        // A sound journal with an archived prefix is no damage: nothing changes.
        assertThat(JournalRepair.repair(dir(), ACTOR).changed()).isFalse();
    }
}
