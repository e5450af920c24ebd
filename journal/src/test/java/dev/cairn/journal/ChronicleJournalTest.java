package dev.cairn.journal;

import dev.cairn.model.Event;
import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.time.Instant;

import net.openhft.chronicle.core.time.SetTimeProvider;

import static dev.cairn.journal.SampleEvents.ACTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChronicleJournalTest extends JournalContractTest {

    @TempDir
    Path tmp;

    Path dir() {
        return tmp.resolve("journal");
    }

    @Override
    protected Journal newJournal() throws IOException {
        return ChronicleJournal.open(dir());
    }

    static Event orphan(String path) {
        return new Event.OrphanRemoved(path, null);
    }

    /** Appends records whose payloads hold the markers MARKER-1, MARKER-2, …; closes the journal. */
    private List<JournalRecord> appendMarkedAndClose(int count) throws IOException {
        List<JournalRecord> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            out.add(journal.append(orphan("MARKER-" + i), ACTOR));
        }
        journal.close();
        return out;
    }

    private Path onlyCycleFile() throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            List<Path> cycles = files.filter(p -> p.getFileName().toString().endsWith(".cq4")).toList();
            assertThat(cycles).hasSize(1);
            return cycles.get(0);
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

    /** Offset of the first byte (the magic) of the record whose payload holds {@code marker}. */
    private static int recordStart(byte[] file, String marker) {
        int at = indexOf(file, marker);
        for (int i = at; i >= 0; i--) {
            if (file[i] == 'C' && file[i + 1] == 'R' && file[i + 2] == 'N' && file[i + 3] == 'J') {
                return i;
            }
        }
        throw new AssertionError("no record start before " + marker);
    }

    @Test
    void reopenSeesAllRecordsAndContinuesSeqAndChain() throws IOException {
        List<JournalRecord> before = appendMarkedAndClose(3);
        journal = ChronicleJournal.open(dir());
        assertThat(journal.lastSeq()).isEqualTo(3);
        assertThat(readAll(journal, 1)).containsExactlyElementsOf(before);
        JournalRecord fourth = journal.append(orphan("after reopen"), ACTOR);
        assertThat(fourth.seq()).isEqualTo(4);
        assertThat(fourth.prev()).isEqualTo(before.get(2).hash());
        assertValidChain(readAll(journal, 1));
        assertThat(journal.verify()).isEqualTo(new VerifyReport(4, 4, fourth.hash()));
        assertThat(journal.location()).isEqualTo(dir().toRealPath());
    }

    /**
     * A journal of format 1 as the code before this one wrote it (src/test/resources/journal-format-1, one record of
     * each event type, gzipped file by file): it must open, verify and go on unchanged.
     */
    @Test
    void aJournalThePreviousCodeWroteOpensUnchangedAndGoesOn() throws IOException {
        journal.close();
        Files.createDirectories(dir());
        for (String name : List.of("20261201F.cq4", "metadata.cq4t", "head", "append.lock")) {
            try (var in = new java.util.zip.GZIPInputStream(getClass().getResourceAsStream(
                    "/journal-format-1/" + name + ".gz"))) {
                Files.write(dir().resolve(name), in.readAllBytes());
            }
        }
        dev.cairn.model.Digest head = dev.cairn.model.Digest.parse(
                "sha256:73ce9f467c925d8ebf9423e548a968f86c85465e6d3711f46b3b750b2d34ead6");

        journal = ChronicleJournal.open(dir());
        assertThat(journal.verify()).isEqualTo(new VerifyReport(16, 16, head));
        List<JournalRecord> records = readAll(journal, 1);
        assertThat(records).extracting(r -> r.event().type()).containsExactly("StagingStarted", "DiffStaged",
                "LayerCreated", "LayerCommitted", "StagingCleaned", "NamesSet", "MetadataSet", "FlagsSet",
                "LayerCreated", "LayerCommitted", "LayerDeleteStarted", "LayerDeleted", "StagingDiscarded",
                "LayerRolledBack", "OrphanRemoved", "JournalRepaired");
        assertThat(records).allSatisfy(r -> assertThat(r.actor().principal()).isEqualTo("registry-user"));
        JournalRecord next = journal.append(orphan("after the re-cut"), ACTOR);
        assertThat(next.seq()).isEqualTo(17);
        assertThat(next.prev()).isEqualTo(head);
        journal.close();
        assertThat(HeadCheckpoint.read(dir())).contains(new HeadCheckpoint(17, next.hash()));
        journal = ChronicleJournal.open(dir());
        assertThat(readAll(journal, 1).subList(0, 16)).containsExactlyElementsOf(records);
    }

    @Test
    void aReadOnlyOpenReadsAndVerifiesEverythingWritesNothingAndRefusesAppends() throws Exception {
        List<JournalRecord> before = appendMarkedAndClose(3);

        try (ChronicleJournal reader = ChronicleJournal.openReadOnly(dir())) {
            assertThat(reader.lastSeq()).isEqualTo(3);
            assertThat(readAll(reader, 1)).containsExactlyElementsOf(before);
            assertThat(reader.verify()).isEqualTo(new VerifyReport(3, 3, before.get(2).hash()));
            assertThatThrownBy(() -> reader.append(orphan("refused"), ACTOR)).isInstanceOf(IOException.class)
                    .hasMessageContaining("read-only").hasMessageContaining(dir().toRealPath().toString());

            // It follows a writer (here in the same JVM; processes are the store's tests).
            try (ChronicleJournal writer = ChronicleJournal.open(dir())) {
                JournalRecord fourth = writer.append(orphan("MARKER-4"), ACTOR);
                assertThat(reader.lastSeq()).isEqualTo(4);
                assertThat(readAll(reader, 4)).containsExactly(fourth);
            }
        }
    }

    @Test
    void aReadOnlyOpenChangesNoFileAndCreatesNone() throws Exception {
        appendMarkedAndClose(2);
        Map<String, String> files = snapshot(dir());

        try (ChronicleJournal reader = ChronicleJournal.openReadOnly(dir())) {
            assertThat(readAll(reader, 1)).hasSize(2);
            reader.verify();
        }

        assertThat(snapshot(dir())).isEqualTo(files);
        assertThatThrownBy(() -> ChronicleJournal.openReadOnly(tmp.resolve("none")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("none");
    }

    /** Every file of a folder: name to size, modification time and sha256. */
    private static Map<String, String> snapshot(Path folder) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> all = Files.list(folder)) {
            for (Path p : all.toList()) {
                out.put(p.getFileName().toString(), Files.size(p) + " " + Files.getLastModifiedTime(p) + " "
                        + dev.cairn.model.Digest.sha256(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    @Test
    void aFlippedBitInAPayloadFailsOpenNamingTheSeqAndFile() throws IOException {
        appendMarkedAndClose(3);
        Path cycle = onlyCycleFile();
        byte[] bytes = Files.readAllBytes(cycle);
        bytes[indexOf(bytes, "MARKER-2") + 3] ^= 0x01;
        Files.write(cycle, bytes);

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> {
                    assertThat(e.seq()).isEqualTo(2);
                    assertThat(e.position()).contains(cycle.getFileName().toString()).contains("sequence 0x1");
                })
                .hasMessageContaining("checksum failed (hardware problem?)")
                .hasMessageContaining("stored CRC-32C 0x").hasMessageContaining("computed 0x");
    }

    @Test
    void aCursorStoppedAtTheEndReportsDamageToLaterRecords() throws IOException {
        appendMarkedAndClose(2);
        journal = ChronicleJournal.open(dir());
        JournalCursor cursor = journal.read(2);
        assertThat(cursor.next().seq()).isEqualTo(2);
        assertThat(cursor.next()).isNull();
        journal.append(orphan("MARKER-3"), ACTOR);
        Path cycle = onlyCycleFile();
        byte[] bytes = Files.readAllBytes(cycle);
        int at = indexOf(bytes, "MARKER-3");
        try (var channel = java.nio.channels.FileChannel.open(cycle, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[]{(byte) (bytes[at] ^ 0x10)}), at);
        }
        assertThatThrownBy(cursor::next).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("seq 3").hasMessageContaining("checksum failed");
        assertThatThrownBy(cursor::next).isInstanceOf(JournalCorruptedException.class).hasMessageContaining("seq 3");
        cursor.close();
        assertThatThrownBy(journal::verify).isInstanceOf(JournalCorruptedException.class);
    }

    // --- written by a newer Cairn: too new, never corrupt ------------------------------------------------------

    @Test
    void aRecordOfANewerFormatVersionFailsOpenAsTooNewNamingTheSeqAndFile() throws IOException {
        appendMarkedAndClose(3);
        Path cycle = onlyCycleFile();
        JournalEdits.setVersion(cycle, "MARKER-2", 2);

        for (boolean readOnly : new boolean[]{false, true}) {
            assertThatThrownBy(() -> (readOnly ? ChronicleJournal.openReadOnly(dir()) : ChronicleJournal.open(dir()))
                    .close())
                    .isInstanceOfSatisfying(FormatTooNewException.class, e -> {
                        assertThat(e.seq()).isEqualTo(2);
                        assertThat(e.resource()).contains(cycle.getFileName().toString()).contains("sequence 0x1");
                        assertThat(e.foundVersion()).isEqualTo(2);
                        assertThat(e.newestVersion()).isEqualTo(1);
                    })
                    .hasMessageContaining("too new");
        }
    }

    @Test
    void aCursorAndVerifyThatMeetARecordOfANewerCairnSayTooNewAndStayOnIt() throws IOException {
        appendMarkedAndClose(2);
        journal = ChronicleJournal.open(dir());
        JournalCursor cursor = journal.read(1);
        assertThat(cursor.next().seq()).isEqualTo(1);
        assertThat(cursor.next().seq()).isEqualTo(2);
        journal.append(orphan("MARKER-3"), ACTOR);
        JournalEdits.replace(onlyCycleFile(), "MARKER-3", "OrphanRemoved", "OrphanRemovex");

        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(cursor::next).isInstanceOfSatisfying(FormatTooNewException.class, e -> {
                assertThat(e.seq()).isEqualTo(3);
                assertThat(e.unknownPart()).isEqualTo("event type 'OrphanRemovex'");
            });
        }
        cursor.close();
        assertThatThrownBy(journal::verify).isInstanceOf(FormatTooNewException.class);
        assertThatThrownBy(() -> readAll(journal, 3)).isInstanceOf(FormatTooNewException.class);
    }

    @Test
    void aHeadCheckpointOfANewerFormatVersionFailsOpenAsTooNew() throws IOException {
        appendMarkedAndClose(1);
        Path head = dir().resolve(HeadCheckpoint.FILE).toRealPath();
        JournalEdits.setHeadVersion(dir(), 2);

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(FormatTooNewException.class, e -> {
                    assertThat(e.resource()).isEqualTo(head.toString());
                    assertThat(e.format()).isEqualTo("Cairn journal head checkpoint");
                    assertThat(e.foundVersion()).isEqualTo(2);
                });
    }

    @Test
    void zeroedRecordBytesFailOpen() throws IOException {
        appendMarkedAndClose(3);
        Path cycle = onlyCycleFile();
        byte[] bytes = Files.readAllBytes(cycle);
        int start = recordStart(bytes, "MARKER-2");
        java.util.Arrays.fill(bytes, start, indexOf(bytes, "MARKER-2"), (byte) 0);
        Files.write(cycle, bytes);

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> assertThat(e.seq()).isEqualTo(2))
                .hasMessageContaining("not a Cairn journal record");
    }

    @Test
    void aTornLastRecordFailsOpen() throws IOException {
        appendMarkedAndClose(3);
        Path cycle = onlyCycleFile();
        byte[] bytes = Files.readAllBytes(cycle);
        int marker = indexOf(bytes, "MARKER-3");
        java.util.Arrays.fill(bytes, marker, marker + 60, (byte) 0);
        Files.write(cycle, bytes);

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> assertThat(e.seq()).isEqualTo(3))
                .hasMessageContaining("checksum failed");
    }

    @Test
    void recordsOutOfOrderBreakTheChain() throws IOException {
        appendMarkedAndClose(3);
        Path cycle = onlyCycleFile();
        byte[] bytes = Files.readAllBytes(cycle);
        // swap the payload bytes of records 2 and 3 (same length): each keeps a valid CRC, the seqs no longer fit
        int two = recordStart(bytes, "MARKER-2");
        int three = recordStart(bytes, "MARKER-3");
        int length = three - two - 4;
        byte[] copy = java.util.Arrays.copyOfRange(bytes, two, two + length);
        System.arraycopy(bytes, three, bytes, two, length);
        System.arraycopy(copy, 0, bytes, three, length);
        Files.write(cycle, bytes);

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> assertThat(e.seq()).isEqualTo(2))
                .hasMessageContaining("found seq 3 where seq 2 belongs");
    }

    @Test
    void aDiscardFileFailsOpenNamingIt() throws IOException {
        appendMarkedAndClose(1);
        Path discard = Files.createFile(dir().resolve("20260101F.cq4.discard"));
        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining(discard.getFileName().toString())
                .hasMessageContaining("set this cycle file aside");
    }

    @Test
    void groupCommitSharesSyncsAmongConcurrentAppenders() throws Exception {
        ChronicleJournal chronicle = (ChronicleJournal) journal;
        int threads = 16;
        int perThread = 25;
        long syncsBefore = chronicle.syncCount();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    journal.append(deleted(i), ACTOR);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        long syncs = chronicle.syncCount() - syncsBefore;
        assertThat(journal.lastSeq()).isEqualTo(threads * perThread);
        assertThat(syncs).isPositive().isLessThan(threads * perThread);
    }

    @Test
    void everyAppendIsSynced() throws IOException {
        ChronicleJournal chronicle = (ChronicleJournal) journal;
        long before = chronicle.syncCount();
        journal.append(deleted(1), ACTOR);
        journal.append(deleted(2), ACTOR);
        assertThat(chronicle.syncCount() - before).isEqualTo(2);
    }

    @Test
    void twoJournalsInOneJvmOnOneDirectoryShareTheChain() throws IOException {
        try (ChronicleJournal other = ChronicleJournal.open(dir())) {
            JournalRecord a = journal.append(deleted(1), ACTOR);
            JournalRecord b = other.append(deleted(2), ACTOR);
            JournalRecord c = journal.append(deleted(3), ACTOR);
            assertThat(List.of(a.seq(), b.seq(), c.seq())).containsExactly(1L, 2L, 3L);
            assertThat(c.prev()).isEqualTo(b.hash());
            assertThat(other.lastSeq()).isEqualTo(3);
        }
        assertValidChain(readAll(journal, 1));
    }

    @Test
    void aSecondProcessAppendingInterleavesIntoOneGaplessChain() throws Exception {
        int childCount = 150;
        int ownCount = 150;
        Path ready = tmp.resolve("ready");
        Path go = tmp.resolve("go");
        Path output = tmp.resolve("child.out");
        JournalCursor tail = journal.read(1);
        Process child = ChildJvm.start(AppendingChild.class, output, dir().toString(), String.valueOf(childCount),
                ready.toString(), go.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(ready)) {
                assertThat(child.isAlive()).as("child alive; output: %s", Files.exists(output)
                        ? Files.readString(output) : "").isTrue();
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(5);
            }
            Files.createFile(go);
            for (int i = 0; i < ownCount; i++) {
                journal.append(orphan("parent/" + i), ACTOR);
            }
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as(Files.readString(output)).isZero();
        assertThat(Files.readString(output)).as("child printed nothing").isEmpty();

        assertThat(journal.lastSeq()).isEqualTo(childCount + ownCount);
        List<JournalRecord> all = readAll(journal, 1);
        assertValidChain(all);
        assertThat(all).filteredOn(r -> "child".equals(r.actor().principal())).hasSize(childCount);
        List<JournalRecord> tailed = new ArrayList<>();
        JournalRecord r;
        while ((r = tail.next()) != null) {
            tailed.add(r);
        }
        tail.close();
        assertThat(tailed).containsExactlyElementsOf(all);
        assertThat(journal.verify().records()).isEqualTo(childCount + ownCount);

        journal.close();
        journal = ChronicleJournal.open(dir());
        assertThat(journal.lastSeq()).isEqualTo(childCount + ownCount);
    }

    @Test
    void aZeroedDocumentHeaderInTheMiddleFailsOpenInsteadOfHidingTheRest() throws IOException {
        appendMarkedAndClose(3);
        Path cycle = onlyCycleFile();
        byte[] bytes = Files.readAllBytes(cycle);
        int start = recordStart(bytes, "MARKER-2");
        java.util.Arrays.fill(bytes, start - 4, start, (byte) 0);
        Files.write(cycle, bytes);

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> {
                    assertThat(e.seq()).isEqualTo(2);
                    assertThat(e.position()).contains(cycle.getFileName().toString());
                })
                .hasMessageContaining("counts 3 documents").hasMessageContaining("only 1 could be read");
    }

    @Test
    void aDamagedLengthInTheFirstHeaderFailsOpen() throws IOException {
        appendMarkedAndClose(3);
        Path cycle = onlyCycleFile();
        byte[] bytes = Files.readAllBytes(cycle);
        bytes[0] ^= 0x5a;
        bytes[1] ^= 0x33;
        Files.write(cycle, bytes);

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> assertThat(e.seq()).isEqualTo(1))
                .hasMessageContaining("only 0 could be read");
    }

    @Test
    void aBadFirstHeaderFailsOpenAtOnceAndLeavesTheFileInPlace() throws IOException {
        appendMarkedAndClose(2);
        Path cycle = onlyCycleFile();
        byte[] bytes = Files.readAllBytes(cycle);
        bytes[3] ^= (byte) 0xC0;
        Files.write(cycle, bytes);

        long start = System.nanoTime();
        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining(cycle.getFileName().toString())
                .hasMessageContaining("bad header");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        assertThat(cycle).exists();
        try (Stream<Path> files = Files.list(dir())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".discard"));
        }
    }

    @Test
    void aWriterKilledInTheMiddleOfADocumentLeavesNoTrace() throws Exception {
        appendMarkedAndClose(2);
        Path ready = tmp.resolve("ready");
        Path output = tmp.resolve("child.out");
        Process child = ChildJvm.start(KilledWriterChild.class, output, dir().toString(), ready.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(ready)) {
                assertThat(child.isAlive()).as("child alive; output: %s", Files.exists(output)
                        ? Files.readString(output) : "").isTrue();
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(5);
            }
        } finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        long start = System.nanoTime();
        journal = ChronicleJournal.open(dir());
        assertThat(journal.lastSeq()).isEqualTo(2);
        JournalRecord third = journal.append(orphan("after the kill"), ACTOR);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        assertThat(third.seq()).isEqualTo(3);
        journal.close();
        journal = ChronicleJournal.open(dir());
        assertThat(journal.verify().lastHash()).isEqualTo(third.hash());
    }

    @Test
    void readingFromDeepInALongJournalSeeksAndVerifies() throws IOException {
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 2000; i++) {
            events.add(orphan("bulk/" + i));
        }
        List<JournalRecord> appended = journal.appendAll(events, ACTOR);
        for (long from : new long[]{1, 2, 1000, 1999, 2000}) {
            List<JournalRecord> read = readAll(journal, from);
            assertThat(read).as("from %d", from).hasSize((int) (2001 - from));
            assertThat(read.get(0)).isEqualTo(appended.get((int) from - 1));
        }
        assertThat(readAll(journal, 2001)).isEmpty();
    }

    @Test
    void aCursorFromJustPastTheEndOrBeyondItPassesOnlyWhatIsAppendedAfterIt() throws IOException {
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= 2000; i++) {
            events.add(orphan("bulk/" + i));
        }
        journal.appendAll(events, ACTOR);
        try (ChronicleCursor next = (ChronicleCursor) journal.read(2001);
             ChronicleCursor beyond = (ChronicleCursor) journal.read(2003)) {
            assertThat(next.next()).isNull();
            assertThat(beyond.next()).isNull();
            List<JournalRecord> appended = journal.appendAll(List.of(orphan("2001"), orphan("2002"), orphan("2003")),
                    ACTOR);
            assertThat(next.next()).isEqualTo(appended.get(0));
            assertThat(beyond.next()).isEqualTo(appended.get(2));
            assertThat(next.skipped()).as("no document of the 2,000 before it passed one by one").isZero();
            assertThat(beyond.skipped()).as("only the two appended before it").isEqualTo(2);
        }
        try (ChronicleCursor deep = (ChronicleCursor) journal.read(1500)) {
            assertThat(deep.next().seq()).isEqualTo(1500);
            assertThat(deep.skipped()).isZero();
        }
    }

    // --- several cycle files, the head checkpoint --------------------------------------------------------------

    private static final long DAY_MILLIS = TimeUnit.DAYS.toMillis(1);

    /** Appends MARKER-1 … MARKER-days, one a day on a test clock: one cycle file each. Closes the journal. */
    private List<Path> appendOnePerDayAndClose(int days) throws IOException {
        journal.close();
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2026-01-01T12:00:00Z"));
        journal = ChronicleJournal.open(dir(), time);
        for (int i = 1; i <= days; i++) {
            journal.append(orphan("MARKER-" + i), ACTOR);
            time.advanceMillis(DAY_MILLIS);
        }
        journal.close();
        return cycleFiles();
    }

    private List<Path> cycleFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
    }

    @Test
    void recordsSpreadOverSeveralCycleFilesReopenAndContinue() throws IOException {
        List<Path> cycles = appendOnePerDayAndClose(3);
        assertThat(cycles).hasSize(3);
        journal = ChronicleJournal.open(dir());
        assertThat(journal.lastSeq()).isEqualTo(3);
        assertThat(readAll(journal, 2).get(0).event()).isEqualTo(orphan("MARKER-2"));
        JournalRecord fourth = journal.append(orphan("today"), ACTOR);
        assertThat(fourth.seq()).isEqualTo(4);
        assertThat(cycleFiles()).hasSize(4);
        assertThat(((ChronicleJournal) journal).headCheckpoint())
                .contains(new HeadCheckpoint(4, fourth.hash()));
    }

    @Test
    void aCursorAtTheEndOfOneCycleFileGoesOnIntoTheNextOneAnotherJournalObjectMade() throws Exception {
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2026-01-01T12:00:00Z"));
        journal = ChronicleJournal.open(dir(), time);
        journal.append(orphan("day-1"), ACTOR);
        try (JournalCursor cursor = journal.read(1)) {
            assertThat(cursor.next().seq()).isEqualTo(1);
            assertThat(cursor.next()).as("the end of the first cycle file").isNull();

            // another writer (a journal object of its own, as another process has) whose clock is a day on
            SetTimeProvider later = new SetTimeProvider(Instant.parse("2026-01-02T12:00:00Z"));
            try (ChronicleJournal other = ChronicleJournal.open(dir(), later)) {
                other.append(orphan("day-2"), ACTOR);
                other.append(orphan("day-2 again"), ACTOR);
            }
            assertThat(cycleFiles()).hasSize(2);

            JournalRecord second = cursor.await(10_000);
            JournalRecord third = cursor.await(10_000);
            assertThat(second.seq()).isEqualTo(2);
            assertThat(second.event()).isEqualTo(orphan("day-2"));
            assertThat(third.seq()).isEqualTo(3);
            assertThat(third.prev()).isEqualTo(second.hash());
            assertThat(cursor.next()).isNull();
        }
    }

    @Test
    void aMissingMiddleCycleFileFailsOpenAsASeqGap() throws IOException {
        List<Path> cycles = appendOnePerDayAndClose(3);
        Files.delete(cycles.get(1));

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> {
                    assertThat(e.seq()).isEqualTo(2);
                    assertThat(e.position()).contains(cycles.get(2).getFileName().toString());
                })
                .hasMessageContaining("found seq 3 where seq 2 belongs");
    }

    @Test
    void aMissingLastCycleFileFailsOpenThroughTheHeadCheckpoint() throws IOException {
        List<Path> cycles = appendOnePerDayAndClose(3);
        Files.delete(cycles.get(2));

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> {
                    assertThat(e.seq()).isEqualTo(3);
                    assertThat(e.position()).contains(cycles.get(1).getFileName().toString());
                })
                .hasMessageContaining("ends at seq 2 but its head checkpoint (head) says seq 3 was durable")
                .hasMessageContaining("records 3 to 3 are lost");
    }

    @Test
    void anOlderCopyOfTheLastCycleFileFailsOpen() throws IOException {
        appendMarkedAndClose(2);
        Path cycle = onlyCycleFile();
        byte[] older = Files.readAllBytes(cycle);
        journal = ChronicleJournal.open(dir());
        journal.append(orphan("MARKER-3"), ACTOR);
        journal.append(orphan("MARKER-4"), ACTOR);
        journal.close();
        Files.write(cycle, older);

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> assertThat(e.seq()).isEqualTo(3))
                .hasMessageContaining("records 3 to 4 are lost");
    }

    @Test
    void aBadFirstHeaderOfALaterCycleFileFailsOpenNamingIt() throws IOException {
        List<Path> cycles = appendOnePerDayAndClose(2);
        byte[] bytes = Files.readAllBytes(cycles.get(1));
        java.util.Arrays.fill(bytes, 0, 8, (byte) 0);
        bytes[0] = 1;
        Files.write(cycles.get(1), bytes);

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining(cycles.get(1).getFileName().toString())
                .hasMessageContaining("bad header");
    }

    /** A cycle file as a process killed while Chronicle created it leaves it: header word not complete, length 0. */
    private static void writeUnfinishedCycleFile(Path file) throws IOException {
        byte[] bytes = new byte[4096];
        bytes[3] = (byte) 0x80;
        Files.write(file, bytes);
    }

    @Test
    void aLastCycleFileADeadCreatorLeftUnfinishedIsRemovedByAWritersOpen() throws IOException {
        appendOnePerDayAndClose(2);
        Path remnant = dir().resolve("20260103F.cq4");
        writeUnfinishedCycleFile(remnant);

        journal = ChronicleJournal.open(dir());

        assertThat(remnant).doesNotExist();
        assertThat(journal.lastSeq()).isEqualTo(2);
        assertThat(journal.append(orphan("MARKER-3"), ACTOR).seq()).isEqualTo(3);
    }

    @Test
    void aReadOnlyOpenRefusesAnUnfinishedLastCycleFileAndLeavesIt() throws IOException {
        appendOnePerDayAndClose(2);
        Path remnant = dir().resolve("20260103F.cq4");
        writeUnfinishedCycleFile(remnant);

        assertThatThrownBy(() -> ChronicleJournal.openReadOnly(dir()))
                .isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining(remnant.getFileName().toString())
                .hasMessageContaining("cairn recover");
        assertThat(remnant).exists();
    }

    @Test
    void anUnfinishedHeaderOnAnEarlierCycleFileIsDamage() throws IOException {
        List<Path> cycles = appendOnePerDayAndClose(2);
        writeUnfinishedCycleFile(cycles.get(0));

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining(cycles.get(0).getFileName().toString())
                .hasMessageContaining("bad header");
        assertThat(cycles.get(0)).exists();
    }

    @Test
    void aJournalWithoutACheckpointGetsOneAtOpen() throws IOException {
        List<JournalRecord> records = appendMarkedAndClose(2);
        Files.delete(dir().resolve(HeadCheckpoint.FILE));
        journal = ChronicleJournal.open(dir());
        assertThat(HeadCheckpoint.read(dir())).contains(new HeadCheckpoint(2, records.get(1).hash()));
    }

    @Test
    void aDamagedCheckpointFailsOpenNamingIt() throws IOException {
        appendMarkedAndClose(2);
        Path head = dir().resolve(HeadCheckpoint.FILE).toRealPath();
        byte[] bytes = Files.readAllBytes(head);
        bytes[10] ^= 0x04;
        Files.write(head, bytes);

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class,
                        e -> assertThat(e.position()).isEqualTo(head.toString()))
                .hasMessageContaining("head checkpoint checksum failed");
    }

    @Test
    void aCheckpointOfAnotherHistoryFailsOpen() throws IOException {
        appendMarkedAndClose(2);
        new HeadCheckpoint(1, SampleEvents.digest("another history")).writeDurably(dir());

        assertThatThrownBy(() -> ChronicleJournal.open(dir()))
                .isInstanceOfSatisfying(JournalCorruptedException.class, e -> assertThat(e.seq()).isEqualTo(1))
                .hasMessageContaining("the head checkpoint says record 1 hashes to");
    }

    // --- full disk, read-only file system -------------------------------------------------------------------

    @Test
    void aFullDiskFailsTheAppendWithAnErrorAndTheJvmLives() throws Exception {
        journal.close();
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("small"), 12)) {
            Path dir = fs.dir.resolve("journal");
            Path filler = fs.dir.resolve("filler");
            try (ChronicleJournal first = ChronicleJournal.open(dir)) {
                first.append(orphan("before"), ACTOR);
            }
            fs.fillLeaving(filler, 3 << 20);
            Path output = tmp.resolve("child.out");
            Process child = ChildJvm.start(FullDiskChild.class, output, dir.toString(), filler.toString());
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
            String out = Files.readString(output);
            assertThat(child.exitValue()).as("exit status (135 = SIGBUS); output:%n%s", out).isZero();
            assertThat(out).as("the file system's own exception type reaches the caller")
                    .contains("FAILED java.nio.file.FileSystemException: ")
                    .contains("No space left on device").contains(dir.toString());
            String[] ok = out.lines().filter(l -> l.startsWith("OK ")).findFirst().orElseThrow().split(" ");
            assertThat(Long.parseLong(ok[2])).as("every acknowledged record is there, nothing more")
                    .isEqualTo(Long.parseLong(ok[1]) + 1);
            try (ChronicleJournal after = ChronicleJournal.open(dir)) {
                assertValidChain(readAll(after, 1));
            }
        }
        journal = newJournal();
    }

    @Test
    void anAppendTheFileSystemDeniesFailsWithItsOwnTypeNamingTheDirectoryAndTheJournalStaysUsable()
            throws Exception {
        journal.close();
        List<String> wrapper = List.of();
        if ("root".equals(System.getProperty("user.name"))) {
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                    "needs setpriv (util-linux) to run a child without root's CAP_DAC_OVERRIDE");
            wrapper = List.of("/usr/bin/setpriv", "--bounding-set", "-dac_override,-dac_read_search");
        }
        Path ready = tmp.resolve("ready");
        Path go = tmp.resolve("go");
        Path again = tmp.resolve("again");
        Path output = tmp.resolve("child.out");
        Process child = ChildJvm.start(wrapper, DeniedAppendChild.class, output, dir().toString(), ready.toString(),
                go.toString(), again.toString());
        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = Files.getPosixFilePermissions(dir());
        try {
            awaitFile(child, ready, output);
            Files.setPosixFilePermissions(dir(), java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
            Files.createFile(go);
            awaitLine(child, output, "FAILED ");
            Files.setPosixFilePermissions(dir(), mode);
            Files.createFile(again);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            Files.setPosixFilePermissions(dir(), mode);
            child.destroyForcibly();
        }
        String out = Files.readString(output);
        assertThat(child.exitValue()).as(out).isZero();
        assertThat(out).contains("FAILED java.nio.file.AccessDeniedException: " + dir().toRealPath())
                .contains("OK 2");
        journal = ChronicleJournal.open(dir());
        assertThat(journal.lastSeq()).isEqualTo(2);
    }

    private static void awaitFile(Process child, Path file, Path output) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(file)) {
            assertThat(child.isAlive()).as("child alive; output: %s", Files.exists(output)
                    ? Files.readString(output) : "").isTrue();
            assertThat(System.nanoTime()).as("waiting for %s", file).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static void awaitLine(Process child, Path output, String prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(output) || Files.readString(output).lines().noneMatch(l -> l.startsWith(prefix))) {
            assertThat(child.isAlive()).as("child alive; output: %s", Files.exists(output)
                    ? Files.readString(output) : "").isTrue();
            assertThat(System.nanoTime()).as("waiting for %s", prefix).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void aReadOnlyFileSystemFailsOpenAndAppendsClearlyAndLosesNothing() throws Exception {
        journal.close();
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("ro"), 8)) {
            Path dir = fs.dir.resolve("journal");
            JournalRecord last;
            try (ChronicleJournal first = ChronicleJournal.open(dir)) {
                first.append(orphan("one"), ACTOR);
                last = first.append(orphan("two"), ACTOR);
            }
            fs.readOnly(true);
            try {
                assertThatThrownBy(() -> ChronicleJournal.open(dir))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining(dir.toString());
            } finally {
                fs.readOnly(false);
            }
            try (ChronicleJournal again = ChronicleJournal.open(dir)) {
                assertThat(again.verify().lastHash()).isEqualTo(last.hash());
                assertThat(again.append(orphan("three"), ACTOR).seq()).isEqualTo(3);
            }
        }
        journal = newJournal();
    }
}
