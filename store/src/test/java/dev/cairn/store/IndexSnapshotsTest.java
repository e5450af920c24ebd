package dev.cairn.store;

import dev.cairn.model.Digest;
import dev.cairn.projection.IndexSnapshot;
import dev.cairn.projection.SnapshotDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Index snapshots seen from the store (docs/STORE.md, "Index snapshots"): written by the policy and on close, used by
 * every open (read-only ones too, which write and remove nothing), and ignored with one warning line — the index then
 * folded from seq 1 — whenever one is wrong in any way.
 */
class IndexSnapshotsTest {

    @TempDir
    Path tmp;

    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private StoreOptions options() {
        return StoreOptions.defaults().withWarnings(warnings::add)
                .withSnapshots(SnapshotPolicy.DEFAULT.withOnCloseRecords(1));
    }

    private Path root() {
        return tmp.resolve("store");
    }

    private static List<Path> snapshots(Path root) throws IOException {
        return new SnapshotDirectory(root.resolve("snapshots")).files();
    }

    /** A store with layers, names, metadata, a finished staging and an unfinished one; closed (so snapshotted). */
    private void fill(Path root, int rounds) throws IOException {
        try (LayerStore store = LayerStore.open(root, options())) {
            for (int i = 0; i < rounds; i++) {
                String id = store.put(new ByteArrayInputStream(TestTars.layer(1000 + i + root.hashCode(), 2)),
                        LayerSpec.base().withName("layer-" + i)).layer().id().hex();
                store.setMetadata(id, "round " + i);
            }
            store.stage(new ByteArrayInputStream(TestTars.layer(7 + root.hashCode(), 1)));
        }
    }

    private void addRecords(Path root, int n) throws IOException {
        try (LayerStore store = LayerStore.open(root, options())) {
            for (int i = 0; i < n; i++) {
                store.setMetadata("layer-0", "more " + i);
            }
        }
    }

    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                out.put(p.getFileName().toString(), Digest.sha256(Files.readAllBytes(p)).hex());
            }
        }
        return out;
    }

    @Test
    void aClosedStoreLeavesASnapshotAndEveryOpenStartsFromItAndFoldsOnlyTheTail() throws IOException {
        fill(root(), 3);
        List<Path> files = snapshots(root());
        assertThat(files).hasSize(1);
        long seq = SnapshotDirectory.seqOf(files.get(0));
        try (LayerStore store = LayerStore.openReadOnly(root(), options())) {
            assertThat(store.startedFrom()).isEqualTo(seq);
            StoreInvariants.checkSnapshots(store);
            assertThat(store.liveIndex()).isEqualTo(store.indexAsOf(store.liveIndex().seq()));
        }
        addRecords(root(), 2);
        try (LayerStore store = LayerStore.open(root(), options())) {
            assertThat(store.startedFrom()).isGreaterThan(seq);
            assertThat(store.layer("layer-0").metadata()).isEqualTo("more 1");
            assertThat(store.staged()).hasSize(1);
            assertThat(store.liveIndex()).isEqualTo(store.indexAsOf(store.liveIndex().seq()));
            StoreInvariants.check(store);
        }
        assertThat(warnings).isEmpty();
    }

    @Test
    void theIndexFromASnapshotAndItsTailEqualsTheFoldFromSeqOneWithOpenSagasInIt() throws IOException {
        fill(root(), 2);
        try (LayerStore store = LayerStore.open(root(), options())) {
            // a staging whose extraction is still under way is an open saga: STARTED in the index
            store.stage(new ByteArrayInputStream(TestTars.layer(99, 1)));
            assertThat(store.liveIndex().openSagas()).isEmpty();
        }
        try (LayerStore store = LayerStore.openReadOnly(root(), options())) {
            assertThat(store.startedFrom()).isPositive();
            assertThat(store.liveIndex()).isEqualTo(store.indexAsOf(store.liveIndex().seq()));
            assertThat(store.staged()).hasSize(2);
        }
    }

    @Test
    void aStoreOpenedFromASnapshotFollowsAnotherWritersRecordsAndGoesOnAfterThem() throws IOException {
        fill(root(), 2);
        try (LayerStore a = LayerStore.open(root(), options());
             LayerStore b = LayerStore.open(root(), options().withSnapshots(SnapshotPolicy.NONE))) {
            assertThat(a.startedFrom()).isPositive();
            assertThat(b.startedFrom()).isZero();
            b.setMetadata("layer-0", "from b");
            assertThat(a.layer("layer-0").metadata()).isEqualTo("from b");
            a.setMetadata("layer-1", "from a");
            assertThat(b.layer("layer-1").metadata()).isEqualTo("from a");
            assertThat(a.liveIndex()).isEqualTo(b.liveIndex());
            StoreInvariants.check(a);
        }
    }

    @Test
    void aStoreWritesASnapshotEveryNRecordsOutsideItsWrites() throws Exception {
        StoreOptions every3 = options().withSnapshots(SnapshotPolicy.DEFAULT.withEveryRecords(3)
                .withOnCloseRecords(Long.MAX_VALUE).withOnCloseTenth(false));
        try (LayerStore store = LayerStore.open(root(), every3)) {
            store.create(LayerSpec.base().withName("a"));
            for (int i = 0; i < 4; i++) {
                store.setMetadata("a", "m" + i);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (snapshots(root()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(snapshots(root())).isNotEmpty();
            StoreInvariants.checkSnapshots(store);
        }
    }

    @Test
    void aStoreWritesASnapshotAfterTheIntervalIfItGainedRecords() throws Exception {
        StoreOptions timed = options().withSnapshots(SnapshotPolicy.DEFAULT.withEvery(Duration.ofMillis(50))
                .withOnCloseRecords(Long.MAX_VALUE).withOnCloseTenth(false));
        try (LayerStore store = LayerStore.open(root(), timed)) {
            store.create(LayerSpec.base().withName("a"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (snapshots(root()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(snapshots(root())).isNotEmpty();
            for (int i = 0; i < 6; i++) {
                store.setMetadata("a", "m" + i);
                Thread.sleep(60);
            }
        }
        assertThat(snapshots(root())).as("pruned to the two newest").hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void aReadOnlyOpenWritesAndRemovesNothingEvenWithADamagedSnapshot() throws IOException {
        fill(root(), 2);
        addRecords(root(), 1);
        Path newest = snapshots(root()).get(0);
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 1] ^= 1;
        Files.write(newest, bytes);
        Map<String, String> before = contents(root().resolve("snapshots"));
        try (LayerStore store = LayerStore.openReadOnly(root(), options().withSnapshots(SnapshotPolicy.DEFAULT
                .withOnCloseRecords(1).withEveryRecords(1)))) {
            assertThat(store.startedFrom()).as("the older snapshot").isPositive();
            assertThat(store.layers()).hasSize(2);
        }
        assertThat(contents(root().resolve("snapshots"))).isEqualTo(before);
        assertThat(warnings).singleElement().asString().contains(newest.toString()).contains("checksum failed")
                .contains("is used instead").doesNotContain("\n");
    }

    @Test
    void onCloseASmallIndexIsSnapshottedAfterATenthOfItsRecordsABigOneAfterTheCount() {
        SnapshotPolicy p = SnapshotPolicy.DEFAULT;
        assertThat(p.writeOnClose(3, 0)).as("a new small store").isTrue();
        assertThat(p.writeOnClose(3, 3)).as("nothing gained").isFalse();
        assertThat(p.writeOnClose(110, 99)).as("a tenth").isTrue();
        assertThat(p.writeOnClose(110, 100)).as("less than a tenth").isFalse();
        assertThat(p.writeOnClose(1_000_000, 999_001)).as("999 of a big one").isFalse();
        assertThat(p.writeOnClose(1_000_000, 999_000)).as("the count").isTrue();
        assertThat(p.withOnCloseTenth(false).writeOnClose(3, 0)).isFalse();
        assertThat(SnapshotPolicy.NONE.writeOnClose(1_000, 0)).isFalse();
    }

    @Test
    void aSmallStoreClosedAfterAnyChangeLeavesASnapshotAtTheHead() throws IOException {
        try (LayerStore store = LayerStore.open(root())) {
            store.create(LayerSpec.base().withName("a"));
        }
        assertThat(snapshots(root())).singleElement()
                .satisfies(f -> assertThat(SnapshotDirectory.seqOf(f)).isEqualTo(2));
    }

    @Test
    void noSnapshotsAtAllIsAPolicyToo() throws IOException {
        fill(root(), 1);
        int before = snapshots(root()).size();
        try (LayerStore store = LayerStore.open(root(), options().withSnapshots(SnapshotPolicy.NONE))) {
            assertThat(store.startedFrom()).isZero();
            store.setMetadata("layer-0", "x");
        }
        assertThat(snapshots(root())).hasSize(before);
    }

    // --- every way a snapshot can be wrong ------------------------------------------------------------------------

    enum Wrong {
        AHEAD_OF_THE_JOURNAL("disagrees with the journal", "has no record"),
        ANOTHER_HASH_AT_ITS_SEQ("disagrees with the journal", "hashes to"),
        DAMAGED_CHECKSUM("checksum failed", ""),
        TRUNCATED("", ""),
        TOO_NEW("newer", ""),
        NOT_THE_SEQ_ITS_NAME_SAYS("not the seq its name says", "");

        final String says;
        final String because;

        Wrong(String says, String because) {
            this.says = says;
            this.because = because;
        }
    }

    /** Makes the store's only snapshot wrong in the given way; returns its path. */
    private Path makeWrong(Wrong wrong) throws IOException {
        Path snap = snapshots(root()).get(0);
        switch (wrong) {
            case AHEAD_OF_THE_JOURNAL -> {
                // the snapshot of a longer journal, beside the journal as it was before it grew
                Path older = tmp.resolve("older");
                copyTree(root(), older);
                addRecords(root(), 3);
                Path ahead = snapshots(root()).get(0);
                byte[] aheadBytes = Files.readAllBytes(ahead);
                deleteTree(root());
                copyTree(older, root());
                for (Path p : snapshots(root())) {
                    Files.delete(p);
                }
                snap = root().resolve("snapshots").resolve(ahead.getFileName());
                Files.write(snap, aheadBytes);
            }
            case ANOTHER_HASH_AT_ITS_SEQ -> {
                // another store's snapshot at the same seq: same length of history, another history
                Path other = tmp.resolve("other");
                fill(other, 3);
                Path theirs = snapshots(other).get(0);
                Files.delete(snap);
                snap = root().resolve("snapshots").resolve(theirs.getFileName());
                Files.copy(theirs, snap);
            }
            case DAMAGED_CHECKSUM -> {
                byte[] b = Files.readAllBytes(snap);
                b[b.length / 3] ^= 0x10;
                Files.write(snap, b);
            }
            case TRUNCATED -> {
                byte[] b = Files.readAllBytes(snap);
                Files.write(snap, java.util.Arrays.copyOf(b, b.length - 100));
            }
            case TOO_NEW -> {
                byte[] b = Files.readAllBytes(snap);
                ByteBuffer.wrap(b).putInt(4 + 1 + IndexSnapshot.FORMAT.name().length(), 2);
                CRC32C crc = new CRC32C();
                crc.update(b, 0, b.length - 4);
                ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
                Files.write(snap, b);
            }
            case NOT_THE_SEQ_ITS_NAME_SAYS -> {
                long seq = SnapshotDirectory.seqOf(snap);
                Path renamed = snap.resolveSibling(String.format("snapshot-%020d.cidx", seq + 1));
                Files.move(snap, renamed);
                snap = renamed;
            }
        }
        return snap;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Wrong.class)
    void aWrongSnapshotIsIgnoredWithOneWarningLineAndTheIndexFoldedFromSeqOne(Wrong wrong) throws IOException {
        fill(root(), 3);
        assertThat(snapshots(root())).hasSize(1);
        Path snap = makeWrong(wrong);
        byte[] wrongBytes = Files.readAllBytes(snap);
        warnings.clear();

        try (LayerStore store = LayerStore.openReadOnly(root(), options())) {
            assertThat(store.startedFrom()).isZero();
            assertThat(store.liveIndex()).isEqualTo(store.indexAsOf(store.liveIndex().seq()));
            assertThat(store.layers()).hasSize(3);
        }
        assertThat(warnings).singleElement().asString().contains(snap.toString()).contains("ignored")
                .contains(wrong.says).contains(wrong.because).contains("rebuilt from seq 1").doesNotContain("\n");
        assertThat(snap).as("a read-only open removes nothing").exists();

        warnings.clear();
        try (LayerStore store = LayerStore.open(root(), options().withSnapshots(SnapshotPolicy.DEFAULT
                .withOnCloseRecords(Long.MAX_VALUE).withOnCloseTenth(false)))) {
            assertThat(store.startedFrom()).isZero();
            StoreInvariants.check(store);
        }
        assertThat(warnings).hasSize(1);
        if (wrong == Wrong.TOO_NEW) {
            assertThat(snap).as("what a newer Cairn wrote is never removed").exists();
            assertThat(Files.readAllBytes(snap)).isEqualTo(wrongBytes);
        } else {
            assertThat(snap).as("a writable open removes what it ignored").doesNotExist();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>(all.toList());
            java.util.Collections.reverse(paths);
            for (Path p : paths) {
                Files.delete(p);
            }
        }
    }
}
