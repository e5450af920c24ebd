package dev.cairn.store;

import dev.cairn.journal.Tmpfs;

import dev.cairn.model.Event;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A store on a damaged journal, a full disk and a read-only file system: {@link LayerStore#repair}, and the errors
 * that leave the store as it was.
 */
class LayerStoreDamageTest {

    @TempDir
    Path tmp;

    private static Layer put(LayerStore store, long seed, LayerSpec spec) throws IOException {
        return store.put(new ByteArrayInputStream(TestTars.layer(seed, 5)), spec).layer();
    }

    private static List<Path> cycleFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("journal"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private static int lastIndexOf(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = haystack.length - n.length; i >= 0; i--) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(needle + " not found");
    }

    @Test
    void repairDropsADamagedCommitAndTheLayerWithItKeepingEveryLayerWhoseCommitSurvived() throws IOException {
        Path root = tmp.resolve("store");
        Layer base;
        Layer child;
        long childCommitSeq;
        try (LayerStore store = LayerStore.open(root)) {
            base = put(store, 1, LayerSpec.base().withName("base"));
            child = put(store, 2, LayerSpec.on("base").withName("child"));
            childCommitSeq = store.history(1).filter(r -> r.event() instanceof Event.LayerCommitted c
                    && c.layer().equals(child.id())).findFirst().orElseThrow().seq();
        }
        Path cycle = cycleFiles(root).get(0);
        byte[] bytes = Files.readAllBytes(cycle);
        bytes[lastIndexOf(bytes, child.id().hex()) + 5] ^= 0x01;
        Files.write(cycle, bytes);
        assertThatThrownBy(() -> LayerStore.open(root))
                .isInstanceOfSatisfying(JournalCorruptedException.class,
                        e -> assertThat(e.seq()).isEqualTo(childCommitSeq))
                .hasMessageContaining("checksum failed");

        StoreRepairReport report = LayerStore.repair(root);

        assertThat(report.changed()).isTrue();
        assertThat(report.lastGoodSeq()).isEqualTo(childCommitSeq - 1);
        assertThat(report.lostRecords()).isPositive();
        assertThat(report.damage()).contains("seq " + childCommitSeq);
        assertThat(report.backup()).isDirectory().hasParent(root.toRealPath());
        assertThat(report.verified().ok()).isTrue();
        assertThat(report.recoveryActions()).extracting(r -> r.event().type()).contains("LayerRolledBack");
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.layers()).containsExactly(base);
            assertThat(store.findLayer("child")).isEmpty();
            assertThat(root.resolve("layers").resolve(child.id().hex())).doesNotExist();
            JournalRecord repaired = store.history(1).filter(r -> r.event() instanceof Event.JournalRepaired)
                    .findFirst().orElseThrow();
            assertThat(repaired.seq()).isEqualTo(childCommitSeq);
            assertThat(store.verify(true).ok()).isTrue();
            assertThat(put(store, 2, LayerSpec.on("base").withName("child")).parent()).contains(base.id());
        }
        StoreRepairReport again = LayerStore.repair(root);
        assertThat(again.changed()).isFalse();
        assertThat(again.backup()).isNull();
        assertThat(again.recoveryActions()).isEmpty();
    }

    @Test
    void repairOfASoundStoreChangesNothing() throws IOException {
        Path root = tmp.resolve("store");
        try (LayerStore store = LayerStore.open(root)) {
            put(store, 1, LayerSpec.base());
        }
        byte[] before = Files.readAllBytes(cycleFiles(root).get(0));
        StoreRepairReport report = LayerStore.repair(root);
        assertThat(report.changed()).isFalse();
        assertThat(report.damage()).isNull();
        assertThat(Files.readAllBytes(cycleFiles(root).get(0))).isEqualTo(before);
        try (Stream<Path> files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("damaged"));
        }
    }

    @Test
    void repairWhereThereIsNoStoreCreatesNothing() {
        Path root = tmp.resolve("nothing");
        assertThatThrownBy(() -> LayerStore.repair(root)).hasMessageContaining(root.toString());
        assertThat(root).doesNotExist();
    }

    @Test
    void aFullDiskFailsStageAndApplyWithAnErrorAndTheStoreCarriesOnOnceSpaceIsFreed() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("small"), 24)) {
            Path root = fs.dir.resolve("store");
            Path filler = fs.dir.resolve("filler");
            try (LayerStore store = LayerStore.open(root)) {
                Layer base = put(store, 1, LayerSpec.base().withName("base"));
                StagedLayer staged = store.stage(new ByteArrayInputStream(TestTars.layer(2, 5)));
                long seq = store.lastSeq();

                fs.fillLeaving(filler, 2 << 20);
                assertThatThrownBy(() -> store.stage(new ByteArrayInputStream(TestTars.layer(3, 3000))))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("No space left on device");
                assertThat(store.layers()).containsExactly(base);
                assertThat(store.staged()).extracting(StagedLayer::id).containsExactly(staged.id());

                // the journal keeps space reserved ahead of its writes: fill that too, one record at a time
                fs.fillLeaving(fs.dir.resolve("filler-2"), 0);
                String big = "m".repeat(64 << 10);
                Layer last = base;
                IOException full = null;
                for (String metadata : List.of(big, "")) {
                    full = null;
                    for (int i = 0; i < 5000 && full == null; i++) {
                        try {
                            last = store.setMetadata("base", metadata + i);
                        } catch (IOException e) {
                            full = e;
                        }
                    }
                }
                assertThat(full).as("the journal ran out of space").isNotNull()
                        .hasMessageContaining("No space left on device")
                        .hasMessageContaining(root.resolve("journal").toString());
                assertThat(store.layer("base")).isEqualTo(last);
                long journalBefore = store.lastSeq();
                assertThatThrownBy(() -> store.applyStaged(staged.id(), LayerSpec.on("base")))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("No space left on device");
                assertThat(store.lastSeq()).isEqualTo(journalBefore);
                assertThat(store.layers()).containsExactly(last);

                Files.delete(filler);
                Files.delete(fs.dir.resolve("filler-2"));
                assertThat(seq).isLessThanOrEqualTo(store.lastSeq());
                Layer child = store.applyStaged(staged.id(), LayerSpec.on("base")).layer();
                store.cleanupStaged(staged.id());
                assertThat(store.layers()).containsExactlyInAnyOrder(last, child);
                assertThat(put(store, 3, LayerSpec.base()).diffSize()).isPositive();
            }
            try (LayerStore store = LayerStore.open(root)) {
                assertThat(store.verify(true).ok()).isTrue();
                assertThat(store.layers()).hasSize(3);
                assertThat(store.staged()).isEmpty();
            }
        }
    }

    @Test
    void aReadOnlyFileSystemFailsOpenWithAnErrorAndNothingIsLost() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(tmp.resolve("ro"), 16)) {
            Path root = fs.dir.resolve("store");
            Layer base;
            try (LayerStore store = LayerStore.open(root)) {
                base = put(store, 1, LayerSpec.base());
            }
            fs.readOnly(true);
            try {
                assertThatThrownBy(() -> LayerStore.open(root))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining(root.toString());
                assertThatThrownBy(() -> LayerStore.repair(root))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining(root.toString());
            } finally {
                fs.readOnly(false);
            }
            try (LayerStore store = LayerStore.open(root)) {
                assertThat(store.layers()).containsExactly(base);
                assertThat(store.verify(true).ok()).isTrue();
            }
        }
    }
}
