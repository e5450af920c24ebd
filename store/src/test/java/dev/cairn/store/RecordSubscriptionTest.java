package dev.cairn.store;

import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RecordSubscriptionTest {

    @TempDir
    Path root;
    private LayerStore store;

    @BeforeEach
    void open() throws IOException {
        store = LayerStore.open(root);
    }

    @AfterEach
    void close() throws IOException {
        store.close();
    }

    /** Reads from {@code s} until {@code count} records came, or fails after two minutes. */
    private static List<JournalRecord> read(RecordSubscription s, int count) throws Exception {
        List<JournalRecord> got = new ArrayList<>();
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (got.size() < count && System.nanoTime() < until) {
            JournalRecord r = s.next(Duration.ofMillis(200));
            if (r != null) {
                got.add(r);
            }
        }
        return got;
    }

    private static void assertGapless(List<JournalRecord> records, long first) {
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i).seq()).as("record %d", i).isEqualTo(first + i);
            if (i > 0) {
                assertThat(records.get(i).prev()).isEqualTo(records.get(i - 1).hash());
            }
        }
    }

    @Test
    void itGivesTheHistoryThenWhatAnotherProcessAppendsEachRecordOnceInOrder() throws Exception {
        store.create(LayerSpec.base().withName("before"));
        long before = store.lastSeq();

        try (RecordSubscription s = store.subscribe(1);
             ChildJvm child = ChildJvm.start(List.of(), List.of(), CreatingChild.class, root.toString(), "20",
                     "child")) {
            List<JournalRecord> got = read(s, (int) before + 40);
            assertThat(child.exitStatus()).isZero();

            assertThat(got).hasSize((int) before + 40);
            assertGapless(got, 1);
            assertThat(got).filteredOn(r -> r.event() instanceof Event.LayerCommitted).hasSize(21);
            assertThat(s.poll()).as("nothing more, nothing repeated").isNull();
            assertThat(s.nextSeq()).isEqualTo(before + 41);
        }
    }

    @Test
    void aSubscriptionFromTheNextSeqGivesOnlyWhatComesNext() throws Exception {
        store.create(LayerSpec.base().withName("old"));
        try (RecordSubscription s = store.subscribe(store.lastSeq() + 1)) {
            assertThat(s.poll()).isNull();
            assertThat(s.next(Duration.ofMillis(50))).isNull();

            store.create(LayerSpec.base().withName("new"));

            List<JournalRecord> got = read(s, 2);
            assertGapless(got, 3);
            assertThat(got.get(0).event()).isInstanceOfSatisfying(Event.LayerCreated.class,
                    c -> assertThat(c.names()).containsExactly("new"));
        }
    }

    @Test
    void aReadOnlyStoreFollowsAWriterInAnotherProcess() throws Exception {
        store.create(LayerSpec.base());
        try (LayerStore reader = LayerStore.openReadOnly(root, StoreOptions.defaults());
             RecordSubscription s = reader.subscribe(reader.lastSeq() + 1);
             ChildJvm child = ChildJvm.start(List.of(), List.of(), CreatingChild.class, root.toString(), "5",
                     "ro")) {
            List<JournalRecord> got = read(s, 10);
            assertThat(child.exitStatus()).isZero();
            assertGapless(got, 3);
            assertThat(got).hasSize(10);
        }
    }

    @Test
    void aSeqOutsideTheJournalIsRefusedAndAClosedSubscriptionSaysSo() throws Exception {
        store.create(LayerSpec.base());

        assertThatThrownBy(() -> store.subscribe(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.subscribe(4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ends at 2");
        RecordSubscription s = store.subscribe(1);
        s.close();
        s.close();
        assertThatThrownBy(s::poll).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThat(s.next(Duration.ofSeconds(5))).isNull();
    }
}
