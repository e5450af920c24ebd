package dev.cairn.journal;

import dev.cairn.model.Event;
import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.cairn.journal.SampleEvents.ACTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalRepairTest {

    @TempDir
    Path tmp;

    Path dir() {
        return tmp.resolve("journal");
    }

    /** Three records, MARKER-1 to MARKER-3, one cycle file per day. */
    private List<JournalRecord> threeDays() throws IOException {
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2026-01-01T12:00:00Z"));
        List<JournalRecord> out = new ArrayList<>();
        try (ChronicleJournal journal = ChronicleJournal.open(dir(), time)) {
            for (int i = 1; i <= 3; i++) {
                out.add(journal.append(new Event.OrphanRemoved("MARKER-" + i, null), ACTOR));
                time.advanceMillis(TimeUnit.DAYS.toMillis(1));
            }
        }
        return out;
    }

    /** Three records in one cycle file. */
    private List<JournalRecord> oneFile() throws IOException {
        List<JournalRecord> out = new ArrayList<>();
        try (ChronicleJournal journal = ChronicleJournal.open(dir())) {
            for (int i = 1; i <= 3; i++) {
                out.add(journal.append(new Event.OrphanRemoved("MARKER-" + i, null), ACTOR));
            }
        }
        return out;
    }

    private List<Path> cycleFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private static int indexOf(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(needle + " not found");
    }

    /** Each kind of damage: how it is made, the last record that survives, the records lost, what open says. */
    enum Damage {
        FLIPPED_BIT(2, 1, 2, "checksum failed") {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.oneFile();
                Path cycle = t.cycleFiles().get(0);
                byte[] bytes = Files.readAllBytes(cycle);
                bytes[indexOf(bytes, "MARKER-2") + 2] ^= 0x20;
                Files.write(cycle, bytes);
            }
        },
        TORN_LAST_RECORD(3, 2, 1, "checksum failed") {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.oneFile();
                Path cycle = t.cycleFiles().get(0);
                byte[] bytes = Files.readAllBytes(cycle);
                int at = indexOf(bytes, "MARKER-3");
                java.util.Arrays.fill(bytes, at, at + 40, (byte) 0);
                Files.write(cycle, bytes);
            }
        },
        ZEROED_DOCUMENT_HEADER(2, 1, 2, "only 1 could be read") {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.oneFile();
                Path cycle = t.cycleFiles().get(0);
                byte[] bytes = Files.readAllBytes(cycle);
                int magic = indexOf(bytes, "MARKER-2");
                while (!(bytes[magic] == 'C' && bytes[magic + 1] == 'R' && bytes[magic + 2] == 'N')) {
                    magic--;
                }
                java.util.Arrays.fill(bytes, magic - 4, magic, (byte) 0);
                Files.write(cycle, bytes);
            }
        },
        BAD_FIRST_HEADER_OF_A_CYCLE_FILE(0, 1, 2, "bad header") {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.threeDays();
                Path second = t.cycleFiles().get(1);
                byte[] bytes = Files.readAllBytes(second);
                bytes[3] ^= (byte) 0xC0;
                Files.write(second, bytes);
            }
        },
        MISSING_MIDDLE_CYCLE_FILE(2, 1, 2, "found seq 3 where seq 2 belongs") {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.threeDays();
                Files.delete(t.cycleFiles().get(1));
            }
        },
        MISSING_LAST_CYCLE_FILE(3, 2, 1, "records 3 to 3 are lost") {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.threeDays();
                Files.delete(t.cycleFiles().get(2));
            }
        },
        DISCARD_FILE(0, 3, 0, "set this cycle file aside") {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.oneFile();
                Files.write(t.dir().resolve("20251231F.cq4.discard"), new byte[]{1, 2, 3});
            }
        },
        DAMAGED_HEAD_CHECKPOINT(0, 3, 0, "head checkpoint checksum failed") {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.oneFile();
                Path head = t.dir().resolve(HeadCheckpoint.FILE);
                byte[] bytes = Files.readAllBytes(head);
                bytes[20] ^= 1;
                Files.write(head, bytes);
            }
        };

        final long reportedSeq;
        final long lastGood;
        final long lost;
        final String message;

        Damage(long reportedSeq, long lastGood, long lost, String message) {
            this.reportedSeq = reportedSeq;
            this.lastGood = lastGood;
            this.lost = lost;
            this.message = message;
        }

        abstract void apply(JournalRepairTest t) throws IOException;
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void eachDamageFailsOpenThenRepairKeepsTheGoodPrefixAndACopy(Damage damage) throws IOException {
        damage.apply(this);
        List<String> damagedFiles;
        try (Stream<Path> files = Files.list(dir())) {
            damagedFiles = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> {
                    assertThat(e.seq()).isEqualTo(damage.reportedSeq);
                    assertThat(e.position()).isNotBlank();
                })
                .hasMessageContaining(damage.message);

        JournalRepair.Result result = JournalRepair.repair(dir(), ACTOR);

        assertThat(result.changed()).isTrue();
        assertThat(result.lastGoodSeq()).isEqualTo(damage.lastGood);
        assertThat(result.lostRecords()).isEqualTo(damage.lost);
        assertThat(result.damage()).contains(damage.message);
        assertThat(result.backup()).isDirectory().hasParent(tmp.toRealPath());
        assertThat(result.backup().getFileName().toString()).startsWith("journal.damaged-");
        try (Stream<Path> files = Files.list(result.backup())) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .as("the copy keeps every file of the damaged journal")
                    .containsAll(damagedFiles);
        }
        assertThat(QueueFiles.repairingDir(dir())).doesNotExist();
        try (ChronicleJournal journal = ChronicleJournal.open(dir())) {
            VerifyReport verified = journal.verify();
            assertThat(verified.lastSeq()).isEqualTo(damage.lastGood + 1);
            List<JournalRecord> records = JournalContractTest.readAll(journal, 1);
            for (int i = 0; i < damage.lastGood; i++) {
                assertThat(records.get(i).event()).isEqualTo(new Event.OrphanRemoved("MARKER-" + (i + 1), null));
            }
            JournalRecord repaired = records.get((int) damage.lastGood);
            assertThat(repaired.seq()).isEqualTo(result.repairSeq());
            assertThat(repaired.event()).isEqualTo(new Event.JournalRepaired(damage.lastGood, damage.lost,
                    result.damage(), result.backup().getFileName().toString()));
            assertThat(journal.append(new Event.OrphanRemoved("after repair", null), ACTOR).seq())
                    .isEqualTo(damage.lastGood + 2);
        }
        JournalRepair.Result again = JournalRepair.repair(dir(), ACTOR);
        assertThat(again.changed()).isFalse();
        assertThat(again.lastGoodSeq()).isEqualTo(damage.lastGood + 2);
    }

    // --- never cut what a newer Cairn wrote -----------------------------------------------------------------

    /** What a newer Cairn may have written, and where; how it is put into a journal of three records. */
    enum Newer {
        RECORD_OF_A_NEWER_VERSION {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.oneFile();
                JournalEdits.setVersion(t.cycleFiles().get(0), "MARKER-2", 2);
            }
        },
        RECORD_OF_AN_UNKNOWN_EVENT_TYPE {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.oneFile();
                JournalEdits.replace(t.cycleFiles().get(0), "MARKER-2", "OrphanRemoved", "OrphanRemovex");
            }
        },
        HEAD_CHECKPOINT_OF_A_NEWER_VERSION {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.oneFile();
                JournalEdits.setHeadVersion(t.dir(), 2);
            }
        },
        NEWER_RECORD_AFTER_DAMAGE {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.oneFile();
                JournalEdits.damage(t.cycleFiles().get(0), "MARKER-2");
                JournalEdits.setVersion(t.cycleFiles().get(0), "MARKER-3", 2);
            }
        },
        NEWER_RECORD_IN_A_CYCLE_FILE_AFTER_A_BAD_HEADER {
            @Override
            void apply(JournalRepairTest t) throws IOException {
                t.threeDays();
                JournalEdits.replace(t.cycleFiles().get(2), "MARKER-3", "OrphanRemoved", "OrphanRemovex");
                Path second = t.cycleFiles().get(1);
                byte[] bytes = Files.readAllBytes(second);
                bytes[3] ^= (byte) 0xC0;
                Files.write(second, bytes);
            }
        };

        abstract void apply(JournalRepairTest t) throws IOException;
    }

    @ParameterizedTest
    @EnumSource(Newer.class)
    void aJournalHoldingWhatANewerCairnWroteIsRefusedAndLeftExactlyAsItWas(Newer newer) throws IOException {
        newer.apply(this);
        Map<String, String> before = contents(tmp);

        assertThatThrownBy(() -> JournalRepair.repair(dir(), ACTOR))
                .isInstanceOf(FormatTooNewException.class)
                .hasMessageStartingWith("repair refused, nothing changed")
                .hasMessageContaining("too new");

        assertThat(contents(tmp)).as("every file under %s, byte for byte", tmp).isEqualTo(before);
    }

    /** Every file below {@code root} but Chronicle's metadata file: relative path to sha256. */
    private static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals(QueueFiles.METADATA_FILE)) {
                    out.put(root.relativize(p).toString(), dev.cairn.model.Digest.sha256(Files.readAllBytes(p))
                            .toString());
                } else if (Files.isDirectory(p)) {
                    out.put(root.relativize(p) + "/", "");
                }
            }
        }
        return out;
    }

    @Test
    void aSoundJournalIsLeftAsItIs() throws IOException {
        List<JournalRecord> records = oneFile();
        byte[] before = Files.readAllBytes(cycleFiles().get(0));
        JournalRepair.Result result = JournalRepair.repair(dir(), ACTOR);
        assertThat(result).isEqualTo(new JournalRepair.Result(false, 3, 0, null, null, 0));
        assertThat(Files.readAllBytes(cycleFiles().get(0))).isEqualTo(before);
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("journal");
        }
        try (ChronicleJournal journal = ChronicleJournal.open(dir())) {
            assertThat(journal.verify().lastHash()).isEqualTo(records.get(2).hash());
        }
    }

    @Test
    void anUnfinishedRepairCopyBlocksOpenAndIsRedoneByTheNextRepair() throws IOException {
        oneFile();
        Path cycle = cycleFiles().get(0);
        byte[] bytes = Files.readAllBytes(cycle);
        bytes[indexOf(bytes, "MARKER-3")] ^= 1;
        Files.write(cycle, bytes);
        Path repairing = QueueFiles.repairingDir(dir());
        Files.createDirectories(repairing);
        Files.write(repairing.resolve("20260101F.cq4"), new byte[]{9, 9, 9});

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("interrupted journal repair left " + repairing);
        JournalRepair.Result result = JournalRepair.repair(dir(), ACTOR);
        assertThat(result.lastGoodSeq()).isEqualTo(2);
        assertThat(repairing).doesNotExist();
        try (ChronicleJournal journal = ChronicleJournal.open(dir())) {
            assertThat(journal.lastSeq()).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"before the renames", "between the renames",
            "after an open made an empty journal"})
    void aRepairInterruptedAfterItsCopyWasCompleteIsFinished(String when) throws IOException {
        oneFile();
        Path cycle = cycleFiles().get(0);
        byte[] bytes = Files.readAllBytes(cycle);
        bytes[indexOf(bytes, "MARKER-3")] ^= 1;
        Files.write(cycle, bytes);
        Path damagedCopy = tmp.resolve("damaged-copy");
        copyTree(dir(), damagedCopy);
        JournalRepair.Result first = JournalRepair.repair(dir(), ACTOR);
        // rebuild the state a crash would have left: the complete copy with its marker beside the journal
        Path repairing = QueueFiles.repairingDir(dir());
        Files.move(dir(), repairing);
        Files.writeString(repairing.resolve(JournalRepair.COMPLETE_MARKER),
                first.backup().getFileName().toString());
        if (when.equals("before the renames")) {
            copyTree(first.backup(), dir());
            removeTree(first.backup());
        } else if (when.startsWith("after an open")) {
            Files.createDirectory(dir());
        }
        assertThat(JournalRepair.interrupted(dir())).isTrue();
        assertThatThrownBy(() -> ChronicleJournal.open(dir())).hasMessageContaining("interrupted journal repair");

        JournalRepair.Result second = JournalRepair.repair(dir(), ACTOR);
        assertThat(second.changed()).isFalse();
        assertThat(second.lastGoodSeq()).isEqualTo(first.repairSeq());
        assertThat(repairing).doesNotExist();
        assertThat(dir().resolve(JournalRepair.COMPLETE_MARKER)).doesNotExist();
        assertThat(Files.readAllBytes(first.backup().resolve(cycle.getFileName())))
                .isEqualTo(Files.readAllBytes(damagedCopy.resolve(cycle.getFileName())));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static void removeTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
