package dev.cairn.store;

import dev.cairn.model.JournalRecord;
import dev.cairn.model.Layer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexChangesTest {

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

    @Test
    void itNamesTheLayersAddedRemovedAndRenamedAndTheStagingsThatMoved() throws IOException {
        Layer a = store.create(LayerSpec.base().withName("a")).layer();
        Layer b = store.create(LayerSpec.base().withName("b")).layer();
        long start = store.lastSeq();
        store.setNames("a", List.of("a2"));
        store.delete("b");
        Layer c = store.create(LayerSpec.base().withName("c")).layer();
        StagedLayer staged = store.stage(new ByteArrayInputStream(TestTars.layer(1, 3)));
        Layer madeAndGone = store.create(LayerSpec.base().withName("brief")).layer();
        store.delete("brief");

        IndexChanges changes = store.changesBetween(start, store.lastSeq());

        assertThat(changes.fromSeq()).isEqualTo(start);
        assertThat(changes.toSeq()).isEqualTo(store.lastSeq());
        assertThat(changes.layersAdded()).extracting(Layer::id).containsExactly(c.id());
        assertThat(changes.layersRemoved()).extracting(Layer::id).containsExactly(b.id());
        assertThat(changes.layersRenamed()).containsExactly(
                new IndexChanges.Renamed<>(a.id(), List.of("a"), List.of("a2")));
        assertThat(changes.stagings()).containsExactly(
                new IndexChanges.StagingChange(staged.id(), null, "staged"));
        assertThat(changes.layersAdded()).extracting(Layer::id).doesNotContain(madeAndGone.id());
        assertThat(changes.isEmpty()).isFalse();

        store.cleanupStaged(staged.id());
        IndexChanges cleaned = store.changesBetween(start, store.lastSeq());
        assertThat(cleaned.stagings()).as("started and cleaned up in between: the same at both points").isEmpty();
        assertThat(store.changesBetween(start, start).isEmpty()).isTrue();
        assertThat(store.changesBetween(0, start).layersAdded()).extracting(Layer::id)
                .containsExactly(a.id(), b.id());
    }

    @Test
    void aTimeNamesTheLastRecordAppendedAtOrBeforeIt() throws IOException {
        assertThat(store.seqAt(Instant.now())).isZero();
        store.create(LayerSpec.base().withName("first"));
        List<JournalRecord> records;
        try (Stream<JournalRecord> all = store.history(1)) {
            records = all.toList();
        }
        Instant afterFirst = records.get(records.size() - 1).time();
        store.create(LayerSpec.base().withName("second"));

        assertThat(store.seqAt(afterFirst)).isEqualTo(2);
        assertThat(store.seqAt(records.get(0).time().minusNanos(1))).isZero();
        assertThat(store.layersAsOf(afterFirst)).flatExtracting(Layer::names).containsExactly("first");
        assertThat(store.changesBetween(afterFirst, Instant.now()).layersAdded()).flatExtracting(Layer::names)
                .containsExactly("second");
    }

    /** Times at seqs 1..n (index 0 is seq 1), as seconds; counts the reads. */
    private static final class Stamps implements IndexChanges.TimeAt {
        final long[] seconds;
        int reads;

        Stamps(long... seconds) {
            this.seconds = seconds;
        }

        @Override
        public Instant of(long seq) {
            reads++;
            return Instant.ofEpochSecond(seconds[(int) seq - 1]);
        }

        long at(long second) throws IOException {
            return IndexChanges.bisect(seconds.length, this, Instant.ofEpochSecond(second));
        }
    }

    @Test
    void withStampsThatNeverDecreaseATimeNamesTheLastRecordStampedAtOrBeforeItInLogarithmicReads()
            throws IOException {
        Stamps s = new Stamps(10, 10, 20, 20, 20, 30, 40);
        assertThat(s.at(9)).isZero();
        assertThat(s.at(10)).isEqualTo(2);
        assertThat(s.at(19)).isEqualTo(2);
        assertThat(s.at(20)).isEqualTo(5);
        assertThat(s.at(39)).isEqualTo(6);
        assertThat(s.at(40)).isEqualTo(7);
        assertThat(s.at(1000)).isEqualTo(7);
        assertThat(new Stamps().at(5)).as("an empty journal").isZero();

        long[] many = new long[1_000_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = i / 3;
        }
        Stamps big = new Stamps(many);
        assertThat(big.at(123_456)).isEqualTo(370_371);
        assertThat(big.reads).as("reads for a million records").isLessThanOrEqualTo(21);
    }

    @Test
    void afterAClockStepsBackATimeTheStampsWentOverTwiceNamesTheEndOfOnePassAndOtherTimesAreUnaffected()
            throws IOException {
        // seqs 1-5 stamped 10..50; then the clock stepped back 25 s: seqs 6-10 stamped 26..70
        Stamps s = new Stamps(10, 20, 30, 40, 50, 26, 36, 46, 56, 70);
        assertThat(s.at(5)).isZero();
        assertThat(s.at(25)).as("before the repeated interval").isEqualTo(2);
        assertThat(s.at(55)).as("after it").isEqualTo(8);
        assertThat(s.at(80)).isEqualTo(10);
        for (long t = 26; t < 50; t++) {
            long seq = s.at(t);
            assertThat(seq).as("time %d: the end of one pass", t).isIn(endsOfPasses(s, t));
        }
    }

    /** Every seq stamped at or before {@code second} (or 0) whose next record is stamped after it (or is none). */
    private static List<Long> endsOfPasses(Stamps s, long second) {
        List<Long> ends = new java.util.ArrayList<>();
        for (int seq = 0; seq <= s.seconds.length; seq++) {
            boolean atOrBefore = seq == 0 || s.seconds[seq - 1] <= second;
            boolean nextAfter = seq == s.seconds.length || s.seconds[seq] > second;
            if (atOrBefore && nextAfter) {
                ends.add((long) seq);
            }
        }
        return ends;
    }

    @Test
    void pointsOutsideTheJournalOrInTheWrongOrderAreRefused() throws IOException {
        store.create(LayerSpec.base());

        assertThatThrownBy(() -> store.changesBetween(2, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after");
        assertThatThrownBy(() -> store.changesBetween(0, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ends at 2");
    }
}
