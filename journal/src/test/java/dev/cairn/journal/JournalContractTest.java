package dev.cairn.journal;

import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.cairn.journal.SampleEvents.ACTOR;
import static dev.cairn.journal.SampleEvents.PRINCIPAL;
import static dev.cairn.journal.SampleEvents.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link Journal} contract, run against every implementation. Subclasses supply a fresh, empty journal.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class JournalContractTest {

    protected Journal journal;

    /** A new empty journal; called before each test. */
    protected abstract Journal newJournal() throws IOException;

    @BeforeEach
    void openJournal() throws IOException {
        journal = newJournal();
    }

    @AfterEach
    void closeJournal() throws IOException {
        journal.close();
    }

    static Event deleted(int n) {
        return new Event.LayerDeleted(layer(n));
    }

    static List<JournalRecord> readAll(Journal journal, long fromSeq) throws IOException {
        List<JournalRecord> out = new ArrayList<>();
        try (JournalCursor cursor = journal.read(fromSeq)) {
            JournalRecord r;
            while ((r = cursor.next()) != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** Asserts seqs 1..n in order, each prev the hash of the one before, the first prev all zero. */
    static void assertValidChain(List<JournalRecord> records) {
        for (int i = 0; i < records.size(); i++) {
            JournalRecord r = records.get(i);
            assertThat(r.seq()).isEqualTo(i + 1L);
            assertThat(r.prev()).isEqualTo(i == 0 ? RecordCodec.ZERO_HASH : records.get(i - 1).hash());
        }
    }

    @Test
    void emptyJournalHasNothing() throws IOException {
        assertThat(journal.lastSeq()).isZero();
        assertThat(readAll(journal, 1)).isEmpty();
        assertThat(journal.verify()).isEqualTo(new VerifyReport(0, 0, null));
    }

    @Test
    void seqStartsAtOneWithoutGaps() throws IOException {
        for (int i = 1; i <= 5; i++) {
            assertThat(journal.append(deleted(i), ACTOR).seq()).isEqualTo(i);
        }
        assertThat(journal.lastSeq()).isEqualTo(5);
    }

    @Test
    void recordsReadBackEqualWhatAppendReturned() throws IOException {
        List<JournalRecord> appended = new ArrayList<>();
        appended.add(journal.append(deleted(1), ACTOR));
        appended.add(journal.append(deleted(2), PRINCIPAL));
        List<JournalRecord> read = readAll(journal, 1);
        assertThat(read).containsExactlyElementsOf(appended);
        assertThat(read.get(1).actor()).isEqualTo(PRINCIPAL);
        assertValidChain(read);
        assertThat(read.get(0).prev().bytes()).containsOnly(0);
    }

    @Test
    void theRecordAppendReturnsIsTheOneReadersReadEvenWhereJsonChangesAValue() throws IOException {
        JournalRecord appended = journal.append(new Event.FlagsSet(layer(1), java.util.Map.of("n", 5L)), ACTOR);
        assertThat(readAll(journal, 1)).containsExactly(appended);
        assertThat(((Event.FlagsSet) appended.event()).flags()).containsEntry("n", 5);
    }

    @Test
    void anEventTooLargeForARecordIsRefusedBeforeAnythingIsWrittenAndTheJournalGoesOn() throws IOException {
        journal.append(deleted(1), ACTOR);
        Event fits = new Event.MetadataSet(layer(2), "m".repeat(Journal.MAX_RECORD_BYTES - 1024));
        Event tooLarge = new Event.MetadataSet(layer(2), "m".repeat(Journal.MAX_RECORD_BYTES));
        assertThatThrownBy(() -> journal.appendAll(List.of(deleted(2), tooLarge), ACTOR))
                .isInstanceOfSatisfying(dev.cairn.model.RecordTooLargeException.class, e -> {
                    assertThat(e.limit()).isEqualTo(Journal.MAX_RECORD_BYTES);
                    assertThat(e.size()).isGreaterThan(Journal.MAX_RECORD_BYTES);
                })
                .hasMessageContaining("MetadataSet of layer " + layer(2)).hasMessageContaining("nothing was written");
        assertThat(journal.lastSeq()).isEqualTo(1);
        assertThat(journal.append(fits, ACTOR).seq()).isEqualTo(2);
        assertThat(journal.append(deleted(3), ACTOR).seq()).isEqualTo(3);
        assertThat(readAll(journal, 2).get(0).event()).isEqualTo(fits);
    }

    @Test
    void everyEventTypeRoundTrips() throws IOException {
        List<Event> events = SampleEvents.everyType();
        assertThat(events.stream().map(Object::getClass).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(Event.TYPES);
        for (Event event : events) {
            assertThat(journal.append(event, ACTOR).event()).isEqualTo(event);
        }
        assertThat(readAll(journal, 1)).extracting(JournalRecord::event).containsExactlyElementsOf(events);
    }

    @Test
    void appendAllWritesConsecutiveSeqs() throws IOException {
        journal.append(deleted(0), ACTOR);
        List<Event> batch = List.of(deleted(1), deleted(2), deleted(3));
        List<JournalRecord> records = journal.appendAll(batch, PRINCIPAL);
        assertThat(records).extracting(JournalRecord::seq).containsExactly(2L, 3L, 4L);
        assertThat(records).extracting(JournalRecord::event).containsExactlyElementsOf(batch);
        assertThat(journal.appendAll(List.of(), ACTOR)).isEmpty();
        assertThat(journal.lastSeq()).isEqualTo(4);
    }

    @Test
    void concurrentAppendersGetGaplessSeqsAndAValidChain() throws Exception {
        int threads = 8;
        int perThread = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<JournalRecord>>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<JournalRecord> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        if (i % 10 == 9) {
                            List<JournalRecord> batch = journal.appendAll(
                                    List.of(deleted(thread * 1000 + i), deleted(thread * 1000 + i + 500)), ACTOR);
                            assertThat(batch.get(1).seq()).isEqualTo(batch.get(0).seq() + 1);
                            mine.addAll(batch);
                        } else {
                            mine.add(journal.append(deleted(thread * 1000 + i), ACTOR));
                        }
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<JournalRecord> all = new ArrayList<>();
            for (Future<List<JournalRecord>> f : futures) {
                all.addAll(f.get());
            }
            List<JournalRecord> read = readAll(journal, 1);
            assertValidChain(read);
            assertThat(read).hasSize(threads * (perThread + perThread / 10));
            assertThat(read).containsExactlyInAnyOrderElementsOf(all);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cursorSeesRecordsAppendedAfterItReachedTheEnd() throws Exception {
        journal.append(deleted(1), ACTOR);
        try (JournalCursor cursor = journal.read(1)) {
            assertThat(cursor.next().seq()).isEqualTo(1);
            assertThat(cursor.next()).isNull();
            JournalRecord second = journal.append(deleted(2), ACTOR);
            assertThat(cursor.next()).isEqualTo(second);
            assertThat(cursor.next()).isNull();
            Thread appender = new Thread(() -> {
                try {
                    Thread.sleep(50);
                    journal.append(deleted(3), ACTOR);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            appender.start();
            JournalRecord third = cursor.await(10_000);
            appender.join();
            assertThat(third.seq()).isEqualTo(3);
            assertThat(third.prev()).isEqualTo(second.hash());
        }
    }

    @Test
    void cursorOnAnEmptyJournalSeesTheFirstRecordLater() throws IOException {
        try (JournalCursor cursor = journal.read(1)) {
            assertThat(cursor.next()).isNull();
            JournalRecord first = journal.append(deleted(1), ACTOR);
            assertThat(cursor.next()).isEqualTo(first);
        }
    }

    @Test
    void readFromTheMiddle() throws IOException {
        List<JournalRecord> appended = journal.appendAll(
                List.of(deleted(1), deleted(2), deleted(3), deleted(4), deleted(5)), ACTOR);
        assertThat(readAll(journal, 3)).containsExactlyElementsOf(appended.subList(2, 5));
        assertThat(readAll(journal, 5)).containsExactly(appended.get(4));
        assertThat(readAll(journal, 6)).isEmpty();
        assertThatThrownBy(() -> journal.read(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cursorStartedBeyondTheEndWaitsForThatSeq() throws IOException {
        journal.append(deleted(1), ACTOR);
        try (JournalCursor cursor = journal.read(3)) {
            assertThat(cursor.next()).isNull();
            journal.append(deleted(2), ACTOR);
            assertThat(cursor.next()).isNull();
            JournalRecord third = journal.append(deleted(3), ACTOR);
            assertThat(cursor.next()).isEqualTo(third);
        }
    }

    @Test
    void verifyReportsCountAndHead() throws IOException {
        journal.appendAll(List.of(deleted(1), deleted(2)), ACTOR);
        JournalRecord last = journal.append(deleted(3), ACTOR);
        assertThat(journal.verify()).isEqualTo(new VerifyReport(3, 3, last.hash()));
    }

    @Test
    void recordTimesDoNotGoBackwardsMuch() throws IOException {
        JournalRecord a = journal.append(deleted(1), ACTOR);
        JournalRecord b = journal.append(deleted(2), ACTOR);
        assertThat(b.time()).isAfterOrEqualTo(a.time().minusSeconds(1));
    }

    @Test
    void aClosedJournalRefusesUse() throws IOException {
        journal.append(deleted(1), ACTOR);
        JournalCursor cursor = journal.read(1);
        journal.close();
        journal.close();
        assertThatThrownBy(() -> journal.append(deleted(2), ACTOR)).isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> journal.lastSeq()).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> journal.read(1)).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> journal.verify()).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThatThrownBy(cursor::next).isInstanceOf(IOException.class).hasMessageContaining("closed");
        cursor.close();
    }

    @Test
    void appendedRecordsAreIndependentOfTheCallersList() throws IOException {
        List<Event> events = new ArrayList<>(List.of(deleted(1)));
        List<JournalRecord> records = journal.appendAll(events, ACTOR);
        events.clear();
        assertThat(records).hasSize(1);
        assertThat(Collections.unmodifiableList(records)).extracting(JournalRecord::seq).containsExactly(1L);
    }

    @Test
    void closingWhileAppendsAreInFlightNeitherHangsNorLosesAcknowledgedRecords() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<JournalRecord>>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<JournalRecord> acknowledged = new ArrayList<>();
                    try {
                        for (int i = 0; i < 10_000; i++) {
                            acknowledged.add(journal.append(deleted(thread * 100_000 + i), ACTOR));
                        }
                    } catch (IOException expected) {
                        assertThat(expected).hasMessageContaining("closed");
                    }
                    return acknowledged;
                }));
            }
            Thread.sleep(100);
            journal.close();
            for (Future<List<JournalRecord>> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
