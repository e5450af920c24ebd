package dev.cairn.store;

import dev.cairn.io.Posix;
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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A store on a damaged journal, a full disk, a read-only file system and folders it may not write:
 * {@link LayerStore#repair}, and the errors that leave the store as it was.
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
        // no snapshot on close: an open from one would take the damaged record as verified (docs/JOURNAL.md)
        try (LayerStore store = LayerStore.open(root, StoreOptions.defaults()
                .withSnapshots(SnapshotPolicy.DEFAULT.withOnCloseTenth(false)))) {
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
    void aReadOnlyFileSystemFailsOpenWithAnErrorStillOpensReadOnlyAndNothingIsLost() throws Exception {
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
                try (LayerStore reader = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
                    assertThat(reader.layers()).containsExactly(base);
                    assertThat(reader.verify(true).ok()).isTrue();
                }
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

    @Test
    void withoutWritePermissionEveryWriteFailsWithOneLineNamingThePathAndNothingIsLost() throws Exception {
        Path root = tmp.resolve("store");
        Layer base;
        try (LayerStore store = LayerStore.open(root)) {
            base = put(store, 1, LayerSpec.base().withName("base"));
        }

        // The whole store read-only by its modes: nothing may be written, a reader may still read.
        List<String> said = deniedChild(root, root);
        assertThat(line(said, "open")).startsWith("open FAILED").contains(root.toString());
        assertThat(line(said, "read")).isEqualTo("read OK 1");
        assertThat(line(said, "put")).startsWith("put FAILED").contains(root.toString());
        assertUnchanged(root, base);

        // Only one folder refused: the store opens, and a put fails naming that folder.
        for (String folder : List.of("staging", "layers")) {
            said = deniedChild(root, root.resolve(folder));
            assertThat(line(said, "open")).isEqualTo("open OK 1");
            assertThat(line(said, "put")).startsWith("put FAILED").contains(root.resolve(folder).toString());
            assertUnchanged(root, base);
        }
    }

    /**
     * Runs {@link DeniedChild} on the store with the write bits of everything under {@code readOnly} removed (their
     * modes restored exactly afterwards). As root the child runs without CAP_DAC_OVERRIDE, which would let it
     * write anyway; as anyone else it runs as is.
     */
    private static List<String> deniedChild(Path root, Path readOnly) throws Exception {
        List<String> wrapper = List.of();
        if (Posix.isRoot()) {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                    "needs setpriv (util-linux) to run a child without root's CAP_DAC_OVERRIDE");
            wrapper = List.of("/usr/bin/setpriv", "--bounding-set", "-dac_override,-dac_read_search");
        }
        Map<Path, Set<PosixFilePermission>> modes = new LinkedHashMap<>();
        try (Stream<Path> all = Files.walk(readOnly)) {
            for (Path p : all.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    modes.put(p, Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                }
            }
        }
        try {
            for (Map.Entry<Path, Set<PosixFilePermission>> e : modes.entrySet()) {
                Set<PosixFilePermission> without = EnumSet.noneOf(PosixFilePermission.class);
                without.addAll(e.getValue());
                without.removeAll(List.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE,
                        PosixFilePermission.OTHERS_WRITE));
                Files.setPosixFilePermissions(e.getKey(), without);
            }
            try (ChildJvm child = ChildJvm.start(wrapper, List.of(), DeniedChild.class, root.toString())) {
                child.await("put ");
                assertThat(child.exitStatus()).as("the child's exit status; it said %s", child.said()).isZero();
                return child.said();
            }
        } finally {
            for (Map.Entry<Path, Set<PosixFilePermission>> e : modes.entrySet()) {
                Files.setPosixFilePermissions(e.getKey(), e.getValue());
            }
        }
    }

    private static String line(List<String> said, String attempt) {
        return said.stream().filter(l -> l.startsWith(attempt + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + attempt + " line in " + said));
    }

    private static void assertUnchanged(Path root, Layer base) throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            assertThat(store.layers()).containsExactly(base);
            assertThat(store.staged()).isEmpty();
            StoreInvariants.check(store);
        }
    }
}
