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

    @Test
    void pointsOutsideTheJournalOrInTheWrongOrderAreRefused() throws IOException {
        store.create(LayerSpec.base());

        assertThatThrownBy(() -> store.changesBetween(2, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after");
        assertThatThrownBy(() -> store.changesBetween(0, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ends at 2");
    }
}
