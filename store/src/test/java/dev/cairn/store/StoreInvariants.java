package dev.cairn.store;

import dev.cairn.model.LayerState;
import dev.cairn.projection.ImageEntry;
import dev.cairn.projection.ImageState;
import dev.cairn.projection.LayerEntry;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.StagingEntry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What must hold of any store after any crash and reopen (DESIGN.md section 3). */
public final class StoreInvariants {

    private StoreInvariants() {
    }

    public static void check(LayerStore store) throws IOException {
        LayerIndex live = store.liveIndex();
        assertThat(live).as("the live index equals the fold from seq 1").isEqualTo(store.indexAsOf(live.seq()));
        for (LayerEntry e : live.entries()) {
            assertThat(e.state()).as("layer %s after recovery", e.id()).isEqualTo(LayerState.COMMITTED);
        }
        Set<String> layerIds = new HashSet<>();
        live.entries().forEach(e -> layerIds.add(e.id().hex()));
        assertThat(list(store.root().resolve("layers"))).as("layer folders are exactly the layers")
                .containsExactlyInAnyOrderElementsOf(layerIds);
        Set<String> stagingIds = new HashSet<>();
        for (StagingEntry s : live.stagings()) {
            stagingIds.add(s.id().hex());
        }
        assertThat(stagingIds).as("staging folders accounted for")
                .containsAll(list(store.root().resolve("staging")));
        assertThat(list(store.root().resolve("trash"))).as("trash is empty").isEmpty();
        for (ImageEntry i : live.images().entries()) {
            assertThat(i.state()).as("image %s after recovery", i.id()).isEqualTo(ImageState.COMMITTED);
        }
        Set<String> held = new HashSet<>();
        for (ImageEntry i : live.images().entries()) {
            i.blobs().forEach(b -> held.add(b.digest().hex()));
        }
        live.registry().contents().forEach(b -> held.add(b.digest().hex()));
        assertThat(list(store.root().resolve("blobs/sha256")))
                .as("blob files are exactly the blobs images and repositories hold")
                .containsExactlyInAnyOrderElementsOf(held);
        assertThat(list(store.root().resolve("blobs/tmp"))).as("no blob temporary is left").isEmpty();
        for (String s : list(store.root().resolve("staging"))) {
            assertThat(live.staging(dev.cairn.model.StagingId.of(s)).map(e -> e.ephemeral()).orElse(false))
                    .as("staging %s of an image import outlived it", s).isFalse();
        }
        assertThat(store.recoveryPlan().steps()).as("nothing left for recovery").isEmpty();
        for (String lock : list(store.root().resolve("owners"))) {
            // a lock file is either held by a live saga, or a finished staging's (it lives as long as the staging)
            assertThat(dev.cairn.store.internal.LockFiles.held(store.root().resolve("owners").resolve(lock))
                    || stagingIds.contains(lock)).as("owners/%s belongs to a live saga or a staging", lock).isTrue();
        }
        checkSnapshots(store);
        StoreVerifyReport report = store.verify(true);
        assertThat(report.problems()).as("verify --deep").isEmpty();
    }

    /**
     * Every index snapshot in the store's folder that this Cairn reads is the fold of the journal up to its seq, and
     * names that record's hash: whatever crashed while it was written, no snapshot ever says anything else. One a
     * newer Cairn wrote is passed over.
     * (Temporary files a crash left are allowed: nothing reads them.)
     */
    public static void checkSnapshots(LayerStore store) throws IOException {
        dev.cairn.projection.SnapshotDirectory dir = new dev.cairn.projection.SnapshotDirectory(
                store.root().resolve("snapshots"));
        for (Path file : dir.files()) {
            dev.cairn.projection.IndexSnapshot s;
            try {
                s = dev.cairn.projection.IndexSnapshot.read(Files.readAllBytes(file), file.toString());
            } catch (dev.cairn.model.FormatTooNewException newer) {
                continue;   // what a newer Cairn wrote (a test put it there): not this Cairn's to judge
            }
            assertThat(s.index()).as("snapshot %s is the fold up to its seq", file).isEqualTo(store.indexAsOf(s.seq()));
            try (Stream<dev.cairn.model.JournalRecord> records = store.history(s.seq())) {
                assertThat(records.findFirst().orElseThrow().hash()).as("snapshot %s names its record's hash", file)
                        .isEqualTo(s.hash());
            }
        }
    }

    public static List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
