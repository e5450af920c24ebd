package dev.cairn.store;

import dev.cairn.model.JournalCorruptedException;
import dev.cairn.projection.SnapshotDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A read-only store whose newest snapshot is at the journal's head answers from the snapshot and opens the queue only
 * when a record must be read (docs/JOURNAL.md, "A read-only open at the head"). Whether Chronicle Queue was started is
 * seen from outside: a child JVM's class-loading log.
 */
class ReadOnlyAtHeadTest {

    @TempDir
    Path tmp;

    private Path root() {
        return tmp.resolve("store");
    }

    /** A store of {@code n} layers, closed, so its snapshot is at the head. */
    private void fill(int n) throws IOException {
        try (LayerStore store = LayerStore.open(root())) {
            for (int i = 0; i < n; i++) {
                store.put(new ByteArrayInputStream(TestTars.layer(4000 + i, 2)), LayerSpec.base().withName("l" + i));
            }
        }
        assertThat(new SnapshotDirectory(root().resolve("snapshots")).files()).hasSize(1);
    }

    /** Runs {@link ReadOnlyQueryChild}; returns what it printed, and whether it loaded Chronicle Queue's classes. */
    private Child query(String mode) throws Exception {
        Path classLog = tmp.resolve("classes-" + System.nanoTime() + ".log");
        try (ChildJvm child = ChildJvm.start(List.of(), List.of("-Xlog:class+load=info:file=" + classLog),
                ReadOnlyQueryChild.class, root().toString(), mode)) {
            assertThat(child.exitStatus()).as("child said %s", child.said()).isZero();
            List<String> said = child.saidToTheEnd();
            String classes = Files.readString(classLog);
            assertThat(classes).as("the class log").contains("dev.cairn.store.LayerStore");
            return new Child(said, classes.contains("net.openhft.chronicle.queue"));
        }
    }

    private record Child(List<String> said, boolean queueStarted) {
    }

    private long headSeq() throws IOException {
        return SnapshotDirectory.seqOf(new SnapshotDirectory(root().resolve("snapshots")).files().get(0));
    }

    @Test
    void aQueryFromASnapshotAtTheHeadNeverStartsTheQueue() throws Exception {
        fill(2);
        Child c = query("layers");
        assertThat(c.said()).containsExactly("LAYERS 2 " + headSeq());
        assertThat(c.queueStarted()).as("Chronicle Queue started").isFalse();
    }

    @Test
    void readingTheLogAfterTheLazyOpenOpensTheQueueAndReadsEveryRecord() throws Exception {
        fill(1);
        Child c = query("log");
        assertThat(c.said()).containsExactly("LAYERS 1 " + headSeq(), "RECORDS " + headSeq());
        assertThat(c.queueStarted()).isTrue();
        try (LayerStore store = LayerStore.openReadOnly(root(), StoreOptions.defaults())) {
            assertThat(store.layerHistory("l0")).isNotEmpty();
            assertThat(store.indexAsOf(store.lastSeq())).isEqualTo(store.liveIndex());
            assertThat(store.verify(false).ok()).isTrue();
        }
    }

    @Test
    void aHeadWrittenBeforeThisBootIsNotTrustedAndTheQueueIsRead() throws Exception {
        fill(1);
        Files.setLastModifiedTime(root().resolve("journal").resolve("head"), FileTime.fromMillis(1_000_000));
        Child c = query("layers");
        assertThat(c.said()).containsExactly("LAYERS 1 " + headSeq());
        assertThat(c.queueStarted()).as("Chronicle Queue started").isTrue();
    }

    @Test
    void aSnapshotBehindTheHeadMeansTheFullOpenAndEveryRecordIsSeen() throws Exception {
        fill(1);
        long snap = headSeq();
        try (LayerStore store = LayerStore.open(root(), StoreOptions.defaults().withSnapshots(SnapshotPolicy.NONE))) {
            store.put(new ByteArrayInputStream(TestTars.layer(4100, 2)), LayerSpec.base().withName("later"));
        }
        Child c = query("layers");
        assertThat(c.queueStarted()).isTrue();
        assertThat(c.said()).hasSize(1);
        assertThat(c.said().get(0)).startsWith("LAYERS 2 ").isNotEqualTo("LAYERS 2 " + snap);
    }

    @Test
    void aRecordAnotherProcessAppendsAfterTheLazyOpenIsSeen() throws Exception {
        fill(1);
        try (LayerStore reader = LayerStore.openReadOnly(root(), StoreOptions.defaults())) {
            assertThat(reader.layers()).hasSize(1);
            long before = reader.lastSeq();
            try (ChildJvm writer = ChildJvm.start(List.of(), List.of(), CreatingChild.class, root().toString(), "2", "w")) {
                assertThat(writer.exitStatus()).as("writer said %s", writer.said()).isZero();
            }
            assertThat(reader.layers()).flatExtracting(l -> l.names()).contains("w-1", "w-2");
            assertThat(reader.lastSeq()).isGreaterThan(before);
            assertThat(reader.liveIndex()).isEqualTo(reader.indexAsOf(reader.lastSeq()));
        }
    }

    @Test
    void aDamagedHeadIsFoundByTheFullOpenAsBefore() throws Exception {
        fill(1);
        Path head = root().resolve("journal").resolve("head");
        byte[] bytes = Files.readAllBytes(head);
        bytes[10] ^= 0x40;
        Files.write(head, bytes);
        assertThatThrownBy(() -> LayerStore.openReadOnly(root(), StoreOptions.defaults()))
                .isInstanceOf(JournalCorruptedException.class).hasMessageContaining("head checkpoint");
    }
}
