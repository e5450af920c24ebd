package dev.cairn.journal.tlog;

import dev.cairn.model.FormatTooNewException;
import dev.cairn.journal.AppendingChild;
import dev.cairn.journal.ChildJvm;
import dev.cairn.journal.ChronicleJournal;
import dev.cairn.journal.EncodedRecords;
import dev.cairn.journal.ForgedJournals;
import dev.cairn.journal.InMemoryJournal;
import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalRepair;
import dev.cairn.model.Actor;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.HistoryRewrittenException;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A journal as a transparency log: the tree kept up by the hook and by catching up, checked against the journal,
 * proofs checked by the reference implementation, checkpoints, and every way of rewriting history detected against a
 * checkpoint taken earlier, on real Chronicle journals.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransparencyLogTest {

    private static final Actor ACTOR = new Actor("auditor", "host", 1, null, null);
    private static final String ORIGIN = "registry.example.com/layers";

    @TempDir
    Path root;

    private Path journalDir() {
        return root.resolve("journal");
    }

    private Path keys() {
        return root.resolve("keys");
    }

    private static Event event(int n) {
        return new Event.MetadataSet(LayerId.of(Digest.sha256(("layer " + n).getBytes(StandardCharsets.UTF_8)).hex()),
                "record-" + n + "-payload");
    }

    private static List<Event> events(int from, int to) {
        List<Event> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(event(i));
        }
        return out;
    }

    /** Counts the records a log reads from its journal. */
    private static final class Counting implements EncodedRecords {
        final EncodedRecords journal;
        final AtomicLong read = new AtomicLong();

        Counting(EncodedRecords journal) {
            this.journal = journal;
        }

        @Override
        public long lastSeq() throws IOException {
            return journal.lastSeq();
        }

        @Override
        public void readEncoded(long fromSeq, long toSeq, Sink sink) throws IOException {
            journal.readEncoded(fromSeq, toSeq, (seq, bytes) -> {
                read.incrementAndGet();
                sink.accept(seq, bytes);
            });
        }
    }

    private static List<byte[]> bytesOf(EncodedRecords journal, long from, long to) throws IOException {
        List<byte[]> out = new ArrayList<>();
        journal.readEncoded(from, to, (seq, bytes) -> out.add(bytes));
        return out;
    }

    /** The reference root of the journal's first n records, from their bytes. */
    private static Digest referenceRoot(EncodedRecords journal, long n) throws IOException {
        return Digest.ofBytes(ReferenceTree.mth(bytesOf(journal, 1, n)));
    }

    @Test
    void theTreeIsTheRfc6962TreeOfTheRecordsExactBytes() throws IOException {
        try (InMemoryJournal journal = new InMemoryJournal()) {
            List<JournalRecord> written = journal.appendAll(events(1, 37), ACTOR);
            try (TransparencyLog log = TransparencyLog.open(root, journal)) {
                assertThat(log.size()).isZero();
                assertThat(log.catchUp()).isEqualTo(37);
                List<byte[]> bytes = bytesOf(journal, 1, 37);
                for (int i = 0; i < bytes.size(); i++) {
                    // the leaf is what the chain hashes: sha256 of these bytes is the record's hash
                    assertThat(Digest.sha256(bytes.get(i))).isEqualTo(written.get(i).hash());
                    assertThat(log.leafHash(i + 1))
                            .isEqualTo(Digest.ofBytes(ReferenceTree.sha256(new byte[] {0}, bytes.get(i))));
                }
                for (int n = 0; n <= 37; n++) {
                    assertThat(log.rootHash(n)).as("root of %d", n)
                            .isEqualTo(Digest.ofBytes(ReferenceTree.mth(bytes.subList(0, n))));
                }
            }
        }
    }

    @Test
    void proofsAtEverySizeAreTheReferenceImplementations() throws IOException {
        try (InMemoryJournal journal = new InMemoryJournal()) {
            journal.appendAll(events(1, 40), ACTOR);
            List<byte[]> bytes = bytesOf(journal, 1, 40);
            try (TransparencyLog log = TransparencyLog.open(root, journal)) {
                for (int n = 1; n <= 40; n++) {
                    for (int seq = 1; seq <= n; seq++) {
                        InclusionProof p = log.inclusionProof(seq, n);
                        assertThat(p.path()).isEqualTo(ReferenceTree.path(seq - 1, bytes.subList(0, n)).stream()
                                .map(Digest::ofBytes).toList());
                    }
                    for (int m = 1; m <= n; m++) {
                        assertThat(log.consistencyProof(m, n).path()).isEqualTo(ReferenceTree
                                .proof(m, bytes.subList(0, n)).stream().map(Digest::ofBytes).toList());
                    }
                }
                assertThatThrownBy(() -> log.inclusionProof(41, 41)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("the journal has 40 records, not 41");
            }
        }
    }

    @Test
    void theHookAppendsWithoutReadingTheJournal() throws IOException {
        try (InMemoryJournal memory = new InMemoryJournal()) {
            Counting journal = new Counting(memory);
            try (TransparencyLog log = TransparencyLog.open(root, journal)) {
                for (int batch = 0; batch < 10; batch++) {
                    List<JournalRecord> written = memory.appendAll(events(batch * 3 + 1, batch * 3 + 3), ACTOR);
                    long first = written.get(0).seq();
                    List<byte[]> bytes = bytesOf(memory, first, first + 2);
                    long before = journal.read.get();
                    log.recordsDurable(first, bytes);
                    assertThat(journal.read.get()).isEqualTo(before);
                    assertThat(log.size()).isEqualTo(first + 2);
                }
                assertThat(log.rootHash(30)).isEqualTo(referenceRoot(memory, 30));
                assertThat(log.notices()).isEmpty();
            }
        }
    }

    @Test
    void theHookCatchesUpOnAFewRecordsAndLeavesManyToCatchUp() throws IOException {
        try (InMemoryJournal memory = new InMemoryJournal()) {
            Counting journal = new Counting(memory);
            try (TransparencyLog log = TransparencyLog.open(root, journal)) {
                memory.appendAll(events(1, 5), ACTOR);
                log.recordsDurable(5, bytesOf(memory, 5, 5));
                assertThat(log.size()).isEqualTo(5);
                memory.appendAll(events(6, 6 + TransparencyLog.MAX_HOOK_CATCH_UP + 1), ACTOR);
                long last = memory.lastSeq();
                log.recordsDurable(last, bytesOf(memory, last, last));
                assertThat(log.size()).as("too far behind for the hook").isEqualTo(5);
                assertThat(log.catchUp()).isEqualTo(last);
                assertThat(log.rootHash(last)).isEqualTo(referenceRoot(memory, last));
                log.recordsDurable(last - 1, bytesOf(memory, last - 1, last));
                assertThat(log.size()).as("records it has already").isEqualTo(last);
            }
        }
    }

    @Test
    void aTreeFileReplacedBehindTheHooksBackIsCheckedBeforeItTakesLeaves() throws IOException {
        try (InMemoryJournal journal = new InMemoryJournal()) {
            journal.appendAll(events(1, 5), ACTOR);
            try (TransparencyLog log = TransparencyLog.open(root, journal)) {
                log.catchUp();
                Path other = root.resolve("other");
                try (MerkleTree foreign = MerkleTree.open(other)) {
                    for (int i = 0; i < 5; i++) {
                        foreign.appendLeaf(new byte[] {(byte) i});
                    }
                    foreign.flush();
                }
                Files.move(other, root.resolve(TransparencyLog.TREE_FILE),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                journal.append(event(6), ACTOR);
                log.recordsDurable(6, bytesOf(journal, 6, 6));
                assertThat(log.notices()).singleElement().asString().contains("disagrees with the journal");
                assertThat(log.catchUp()).isEqualTo(6);
                assertThat(log.rootHash(6)).isEqualTo(referenceRoot(journal, 6));
                assertThat(log.notices()).last().asString().contains("history from seq 1 on differs");
            }
        }
    }

    @Test
    void theHookNeverThrows() throws IOException {
        try (InMemoryJournal journal = new InMemoryJournal()) {
            journal.appendAll(events(1, 3), ACTOR);
            TransparencyLog log = TransparencyLog.open(root, journal);
            log.catchUp();
            // records the journal does not have: the tree is checked against it and left alone
            log.recordsDurable(5, List.of(new byte[] {1}));
            assertThat(log.size()).isEqualTo(3);
            log.close();
            log.recordsDurable(4, List.of(new byte[] {1}));
        }
    }

    @Test
    void checkpointsAreSignedNotesOfTheHeadAndEachExtendsTheLast() throws IOException {
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir());
             TransparencyLog log = TransparencyLog.open(journalDir(), journal)) {
            CheckpointKey key = CheckpointKey.create(keys(), ORIGIN);
            SignedCheckpoint empty = log.checkpoint(key);
            assertThat(empty.checkpoint()).isEqualTo(new Checkpoint(ORIGIN, 0, Rfc6962Vectors.root(0)));
            journal.appendAll(events(1, 10), ACTOR);
            SignedCheckpoint ten = log.checkpoint(key);
            assertThat(ten.checkpoint().size()).isEqualTo(10);
            assertThat(ten.checkpoint().rootHash()).isEqualTo(referenceRoot(journal, 10));
            SignedCheckpoint read = SignedCheckpoint.verify(ten.toString().getBytes(StandardCharsets.UTF_8),
                    key.verifier(), "kept");
            assertThat(read).isEqualTo(ten);
            assertThat(Files.readString(keys().resolve(CheckpointKey.LATEST_FILE))).isEqualTo(ten.toString());
            journal.appendAll(events(11, 25), ACTOR);
            assertThat(log.proveExtends(empty.checkpoint()).proof()).isNull();
            ConsistencyCheck check = log.proveExtends(ten.checkpoint());
            assertThat(check.treeSize()).isEqualTo(25);
            assertThat(check.rootHash()).isEqualTo(referenceRoot(journal, 25));
            check.proof().verify(ten.checkpoint().rootHash(), check.rootHash());
            assertThat(check.proof().path()).isEqualTo(ReferenceTree.proof(10, bytesOf(journal, 1, 25)).stream()
                    .map(Digest::ofBytes).toList());
        }
    }

    @Test
    void aTlogProofCarriesTheRecordsBytesAndVerifiesOffline() throws IOException {
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir());
             TransparencyLog log = TransparencyLog.open(journalDir(), journal)) {
            CheckpointKey key = CheckpointKey.create(keys(), ORIGIN);
            List<JournalRecord> written = journal.appendAll(events(1, 13), ACTOR);
            SignedCheckpoint c = log.checkpoint(key);
            journal.appendAll(events(14, 20), ACTOR);
            String text = log.tlogProof(7, c).toString();
            TlogProof read = TlogProof.parse(text.getBytes(StandardCharsets.UTF_8), "proof");
            assertThat(read.index()).isEqualTo(6);
            assertThat(Digest.sha256(read.leaf())).isEqualTo(written.get(6).hash());
            assertThat(read.verify(key.verifier(), "proof")).isEqualTo(c.checkpoint());
            assertThatThrownBy(() -> log.tlogProof(14, c)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("covers seq 1 to 13");
        }
    }

    /** Ways to rewrite a history of 20 records, and the first seq that then differs. */
    enum Rewrite {
        EDIT(7, records -> {
            JournalRecord r = records.get(6);
            records.set(6, new JournalRecord(r.seq(), r.time(), r.actor(),
                    new Event.MetadataSet(((Event.MetadataSet) r.event()).layer(), "something else"), r.prev(),
                    r.hash()));
            return records;
        }),
        REMOVE(7, records -> {
            records.remove(6);
            return records;
        }),
        REORDER(7, records -> {
            records.add(7, records.remove(6));
            return records;
        }),
        INSERT(11, records -> {
            records.add(10, records.get(3));
            return records;
        }),
        TRUNCATE(14, records -> new ArrayList<>(records.subList(0, 13))),
        REWRITE_FROM_THE_START(1, records -> {
            records.add(0, records.remove(19));
            return records;
        });

        final long firstDiffering;
        final UnaryOperator<List<JournalRecord>> change;

        Rewrite(long firstDiffering, UnaryOperator<List<JournalRecord>> change) {
            this.firstDiffering = firstDiffering;
            this.change = change;
        }
    }

    /** A journal of 20 records, its tree, and a checkpoint of it; all closed. */
    private SignedCheckpoint journalOf20WithACheckpoint() throws IOException {
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir());
             TransparencyLog log = TransparencyLog.open(journalDir(), journal)) {
            journal.appendAll(events(1, 20), ACTOR);
            return log.checkpoint(CheckpointKey.create(keys(), ORIGIN));
        }
    }

    @ParameterizedTest
    @EnumSource(Rewrite.class)
    void aRewrittenHistoryIsDetectedAndTheFirstRecordThatDiffersNamed(Rewrite rewrite) throws IOException {
        SignedCheckpoint kept = journalOf20WithACheckpoint();
        ForgedJournals.rewrite(journalDir(), rewrite.change.apply(ForgedJournals.records(journalDir())));
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir())) {
            // the journal alone cannot tell: it verifies
            journal.verify();
            try (TransparencyLog log = TransparencyLog.open(journalDir(), journal)) {
                assertThat(log.notices()).singleElement().asString().contains("history from seq "
                        + rewrite.firstDiffering + " on differs").contains("kept it as merkle.diverged-");
                assertThatThrownBy(() -> log.proveExtends(kept.checkpoint()))
                        .isInstanceOfSatisfying(HistoryRewrittenException.class, e -> {
                            assertThat(e.firstDifferingSeq()).isEqualTo(rewrite.firstDiffering);
                            assertThat(e.checkpointSize()).isEqualTo(20);
                        })
                        .hasMessageContaining(rewrite == Rewrite.TRUNCATE ? "records 14 to 20 were removed"
                                : "record " + rewrite.firstDiffering + " is not the one the checkpoint covers");
                // the tree was built again from the journal as it is now
                assertThat(log.rootHash(log.catchUp())).isEqualTo(referenceRoot(journal, journal.lastSeq()));
                // and the key refuses to sign a checkpoint that contradicts the one it signed
                assertThatThrownBy(() -> log.checkpoint(CheckpointKey.load(keys())))
                        .isInstanceOf(HistoryRewrittenException.class).hasMessageStartingWith("refusing to sign");
            }
        }
    }

    @Test
    void aRewrittenHistoryIsDetectedEvenWithNoEarlierTreeLeft() throws IOException {
        SignedCheckpoint kept = journalOf20WithACheckpoint();
        List<JournalRecord> records = Rewrite.EDIT.change.apply(ForgedJournals.records(journalDir()));
        ForgedJournals.rewrite(journalDir(), records);
        Files.delete(journalDir().resolve(TransparencyLog.TREE_FILE));
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir());
             TransparencyLog log = TransparencyLog.open(journalDir(), journal)) {
            assertThatThrownBy(() -> log.proveExtends(kept.checkpoint()))
                    .isInstanceOfSatisfying(HistoryRewrittenException.class,
                            e -> assertThat(e.firstDifferingSeq()).isZero())
                    .hasMessageContaining("the journal's first 20 records are not those the checkpoint covers")
                    .hasMessageContaining("no earlier Merkle tree");
        }
        ForgedJournals.rewrite(journalDir(), records.subList(0, 15));
        Files.delete(journalDir().resolve(TransparencyLog.TREE_FILE));
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir());
             TransparencyLog log = TransparencyLog.open(journalDir(), journal)) {
            assertThatThrownBy(() -> log.proveExtends(kept.checkpoint())).isInstanceOf(HistoryRewrittenException.class)
                    .hasMessageContaining("has 15 records but the checkpoint covers 20: records were removed");
        }
    }

    @Test
    void aRepairThatCutRecordsTheCheckpointCoversIsDetectedAndNamed() throws IOException {
        SignedCheckpoint kept = journalOf20WithACheckpoint();
        ForgedJournals.flipBit(journalDir(), "record-12-payload");
        assertThatThrownBy(() -> ChronicleJournal.open(journalDir()).close())
                .isInstanceOf(JournalCorruptedException.class);
        JournalRepair.Result repair = JournalRepair.repair(journalDir(), ACTOR);
        assertThat(repair.lastGoodSeq()).isEqualTo(11);
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir());
             TransparencyLog log = TransparencyLog.open(journalDir(), journal)) {
            journal.appendAll(events(100, 120), ACTOR);
            assertThatThrownBy(() -> log.proveExtends(kept.checkpoint()))
                    .isInstanceOfSatisfying(HistoryRewrittenException.class,
                            e -> assertThat(e.firstDifferingSeq()).isEqualTo(12))
                    .hasMessageContaining("record 12 is not the one the checkpoint covers");
            assertThatThrownBy(() -> log.checkpoint(CheckpointKey.load(keys())))
                    .isInstanceOf(HistoryRewrittenException.class).hasMessageContaining("refusing to sign");
        }
    }

    @Test
    void aLostTreeFileIsBuiltAgainFromTheJournal() throws IOException {
        SignedCheckpoint kept = journalOf20WithACheckpoint();
        Files.delete(journalDir().resolve(TransparencyLog.TREE_FILE));
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir());
             TransparencyLog log = TransparencyLog.open(journalDir(), journal)) {
            journal.appendAll(events(21, 22), ACTOR);
            ConsistencyCheck check = log.proveExtends(kept.checkpoint());
            assertThat(check.treeSize()).isEqualTo(22);
            assertThat(log.notices()).isEmpty();
        }
    }

    @Test
    void aTreeFileThatFailsItsChecksumsIsBuiltAgain() throws IOException {
        SignedCheckpoint kept = journalOf20WithACheckpoint();
        Path tree = journalDir().resolve(TransparencyLog.TREE_FILE);
        try (FileChannel ch = FileChannel.open(tree, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x66}), TreeFile.HEADER_SIZE + 3L * TreeFile.ENTRY_SIZE + 1);
        }
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir());
             TransparencyLog log = TransparencyLog.open(journalDir(), journal)) {
            // the damage is met where the entry is read: leaf 2 is the sibling of leaf 3 (seq 4)
            InclusionProof proof = log.inclusionProof(4, 20);
            assertThat(log.notices()).singleElement().asString().contains("entry 3 failed its checksum")
                    .contains("built it again from the journal");
            proof.verifyLeaf(bytesOf(journal, 4, 4).get(0), kept.checkpoint().rootHash());
            assertThat(log.proveExtends(kept.checkpoint()).treeSize()).isEqualTo(20);
        }
    }

    @Test
    void verifyFindsAWrongHashWithAGoodChecksumAndBuildsTheTreeAgain() throws IOException {
        journalOf20WithACheckpoint();
        Path tree = journalDir().resolve(TransparencyLog.TREE_FILE);
        long position = TreeFile.position(1, 2);
        byte[] wrong = new byte[32];
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(position).array());
        crc.update(wrong);
        try (FileChannel ch = FileChannel.open(tree, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(36).put(wrong).putInt((int) crc.getValue()).flip(),
                    TreeFile.HEADER_SIZE + position * TreeFile.ENTRY_SIZE);
        }
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir());
             TransparencyLog log = TransparencyLog.open(journalDir(), journal)) {
            assertThat(log.verify()).isEqualTo(20);
            assertThat(log.notices()).singleElement().asString().contains("level 1, index 2");
            assertThat(log.rootHash(20)).isEqualTo(referenceRoot(journal, 20));
            assertThat(log.verify()).isEqualTo(20);
            assertThat(log.notices()).hasSize(1);
        }
    }

    @Test
    void aReadOnlyLogWritesNothingAndCatchesUpInMemory() throws IOException {
        journalOf20WithACheckpoint();
        Path tree = journalDir().resolve(TransparencyLog.TREE_FILE);
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir())) {
            journal.appendAll(events(21, 30), ACTOR);
        }
        byte[] before = Files.readAllBytes(tree);
        try (ChronicleJournal journal = ChronicleJournal.openReadOnly(journalDir());
             TransparencyLog log = TransparencyLog.openReadOnly(journalDir(), journal)) {
            assertThat(log.catchUp()).isEqualTo(30);
            assertThat(log.rootHash(30)).isEqualTo(referenceRoot(journal, 30));
            log.inclusionProof(25, 30);
        }
        assertThat(Files.readAllBytes(tree)).isEqualTo(before);
        Files.delete(tree);
        Files.delete(journalDir().resolve(TransparencyLog.LOCK_FILE));
        try (ChronicleJournal journal = ChronicleJournal.openReadOnly(journalDir());
             TransparencyLog log = TransparencyLog.openReadOnly(journalDir(), journal)) {
            assertThat(log.rootHash(30)).isEqualTo(referenceRoot(journal, 30));
        }
        assertThat(tree).doesNotExist();
        assertThat(journalDir().resolve(TransparencyLog.LOCK_FILE)).doesNotExist();
    }

    @Test
    void twoLogsOfOneJournalShareTheTreeFile() throws IOException {
        try (InMemoryJournal memory = new InMemoryJournal()) {
            Counting second = new Counting(memory);
            try (TransparencyLog writer = TransparencyLog.open(root, memory);
                 TransparencyLog other = TransparencyLog.open(root, second)) {
                memory.appendAll(events(1, 9), ACTOR);
                writer.recordsDurable(1, bytesOf(memory, 1, 9));
                long before = second.read.get();
                assertThat(other.catchUp()).isEqualTo(9);
                assertThat(second.read.get() - before).as("only the record at the junction is read").isEqualTo(1);
                assertThat(other.rootHash(9)).isEqualTo(writer.rootHash(9));
            }
        }
    }

    @Test
    void aTreeFileFromANewerCairnIsNeverTouched() throws IOException {
        journalOf20WithACheckpoint();
        Path tree = journalDir().resolve(TransparencyLog.TREE_FILE);
        byte[] header = ByteBuffer.allocate(16).putInt(0x43524E4D).put((byte) 9).put((byte) 1).putShort((short) 36)
                .putLong(0).array();
        CRC32C crc = new CRC32C();
        crc.update(header);
        try (FileChannel ch = FileChannel.open(tree, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(20).put(header).putInt((int) crc.getValue()).flip(), 0);
        }
        byte[] before = Files.readAllBytes(tree);
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir())) {
            assertThatThrownBy(() -> TransparencyLog.open(journalDir(), journal))
                    .isInstanceOf(FormatTooNewException.class).hasMessageContaining("format version 9");
        }
        assertThat(Files.readAllBytes(tree)).isEqualTo(before);
    }

    @Test
    void aJournalOfEveryKindOfRecordProvesEachOfThem() throws IOException {
        try (Journal journal = ChronicleJournal.open(journalDir());
             TransparencyLog log = TransparencyLog.open(journalDir(), (EncodedRecords) journal)) {
            journal.appendAll(events(1, 5), ACTOR);
            SignedCheckpoint c = log.checkpoint(CheckpointKey.create(keys(), ORIGIN));
            for (int seq = 1; seq <= 5; seq++) {
                TlogProof p = log.tlogProof(seq, c);
                assertThat(TlogProof.parse(p.toString().getBytes(StandardCharsets.UTF_8), "p")
                        .verify(CheckpointKey.readVerifier(keys()), "p").size()).isEqualTo(5);
            }
        }
    }

    @Test
    void processesAppendingAtOnceKeepOneTreeOfTheWholeJournal() throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir())) {
            journal.append(event(0), ACTOR);
        }
        Path go = root.resolve("go");
        List<Process> children = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            Path ready = root.resolve("ready-" + c);
            children.add(ChildJvm.start(AppendingChild.class, root.resolve("child-" + c + ".log"),
                    journalDir().toString(), "150", ready.toString(), go.toString(), "--tree"));
            while (!Files.exists(ready)) {
                assertThat(children.get(c).isAlive()).as("child %d started", c).isTrue();
                Thread.sleep(5);
            }
        }
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir());
             TransparencyLog log = TransparencyLog.open(journalDir(), journal)) {
            Files.createFile(go);
            for (int i = 1; i <= 150; i++) {
                JournalRecord r = journal.append(event(i), ACTOR);
                log.recordsDurable(r.seq(), bytesOf(journal, r.seq(), r.seq()));
                if (i % 50 == 0) {
                    log.checkpoint(CheckpointKey.loadOrCreate(keys(), ORIGIN));
                }
            }
            for (int c = 0; c < children.size(); c++) {
                assertThat(children.get(c).waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(children.get(c).exitValue()).as(Files.readString(root.resolve("child-" + c + ".log")))
                        .isZero();
            }
            assertThat(log.catchUp()).isEqualTo(451);
            assertThat(log.rootHash(451)).isEqualTo(referenceRoot(journal, 451));
            assertThat(log.verify()).isEqualTo(451);
            assertThat(log.notices()).isEmpty();
        }
    }
}
