package dev.cairn.recovery;

import dev.cairn.journal.InMemoryJournal;
import dev.cairn.model.Actor;
import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.StagingId;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.LiveIndex;
import dev.cairn.projection.StagingState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recovery's decisions, saga by saga, each cut after each of its durable steps. The disk is a model (a set of
 * paths) so each state is exact; the store's tests do the same over real folders and killed processes.
 */
class RecoveryTest {

    private final InMemoryJournal journal = new InMemoryJournal();
    private final ModelDisk disk = new ModelDisk();
    private final Actor actor = Actor.process();
    private final StagingId s = StagingId.random();
    private final LayerId l = LayerId.of(Digest.sha256("l".getBytes(StandardCharsets.UTF_8)).hex());
    private LiveIndex live;

    @AfterEach
    void close() throws IOException {
        if (live != null) {
            live.close();
        }
        journal.close();
    }

    private void history(Event... events) throws IOException {
        for (Event e : events) {
            journal.append(e, actor);
        }
    }

    private RecoveryReport recover() throws IOException {
        live = LiveIndex.follow(journal, LayerIndex.empty());
        return Recovery.run(journal, live, disk, actor, Instant.now(), Duration.ofDays(7));
    }

    private List<String> types(RecoveryReport r) {
        List<String> out = new ArrayList<>();
        for (JournalRecord rec : r.actions()) {
            out.add(rec.event().type());
        }
        return out;
    }

    private Event.DiffStaged diffStaged() {
        Digest d = Digest.sha256(new byte[]{1});
        return new Event.DiffStaged(s, d, 10, d, 10, Compression.NONE);
    }

    // --- stage ---------------------------------------------------------------------------------------------------

    @Test
    void folderMadeBeforeStagingStartedIsAnOrphan() throws IOException {
        disk.paths.add("staging/" + s.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("OrphanRemoved");
        assertThat(disk.paths).isEmpty();
    }

    @Test
    void stagingCutBeforeDiffStagedIsDiscardedWhenItsOwnerIsDead() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("staging/" + s.hex() + "/layer");

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("StagingDiscarded");
        assertThat(disk.paths).isEmpty();
        assertThat(live.current().stagings()).isEmpty();
    }

    @Test
    void stagingOfALiveOwnerIsNeverTouched() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"));
        disk.paths.add("staging/" + s.hex());
        disk.liveOwners.add(s);

        RecoveryReport r = recover();

        assertThat(r.clean()).isTrue();
        assertThat(disk.paths).containsExactly("staging/" + s.hex());
    }

    @Test
    void finishedStagingSurvives() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged());
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("staging/" + s.hex() + "/layer");

        assertThat(recover().clean()).isTrue();
        assertThat(live.current().staging(s)).get().extracting(e -> e.state()).isEqualTo(StagingState.STAGED);
    }

    @Test
    void finishedStagingOlderThanTheLimitIsDiscarded() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged());
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("staging/" + s.hex() + "/layer");
        live = LiveIndex.follow(journal, LayerIndex.empty());

        RecoveryReport r = Recovery.run(journal, live, disk, actor, Instant.now().plus(Duration.ofDays(8)),
                Duration.ofDays(7));

        assertThat(types(r)).containsExactly("StagingDiscarded");
        assertThat(disk.paths).isEmpty();
    }

    // --- apply ---------------------------------------------------------------------------------------------------

    @Test
    void applyCutAfterLayerCreatedRollsBackAndKeepsTheStaging() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged(), new Event.LayerCreated(l, null, List.of("n"), s, ""));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("staging/" + s.hex() + "/layer");

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("LayerRolledBack");
        assertThat(disk.paths).containsExactlyInAnyOrder("staging/" + s.hex(), "staging/" + s.hex() + "/layer");
        assertThat(live.current().nameHolder("n")).isEmpty();
        assertThat(live.current().staging(s).orElseThrow().state()).isEqualTo(StagingState.STAGED);
    }

    @Test
    void applyCutAfterTheMoveMovesTheContentsBack() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged(), new Event.LayerCreated(l, null, List.of(), s, ""));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("layers/" + l.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("LayerRolledBack");
        assertThat(disk.paths).containsExactlyInAnyOrder("staging/" + s.hex(), "staging/" + s.hex() + "/layer");
        assertThat(live.current().entries()).isEmpty();
    }

    @Test
    void committedApplyIsLeftAloneAndItsStagingAwaitsCleanup() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged(), new Event.LayerCreated(l, null, List.of(), s, ""),
                new Event.LayerCommitted(l, diffStaged().diffDigest(), 10, null, null, null));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("layers/" + l.hex());

        assertThat(recover().clean()).isTrue();
        assertThat(live.current().layer(l)).isPresent();
    }

    @Test
    void emptyLayerCreateCutBeforeCommitIsRemoved() throws IOException {
        history(new Event.LayerCreated(l, null, List.of(), null, ""));
        disk.paths.add("layers/" + l.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("LayerRolledBack");
        assertThat(disk.paths).isEmpty();
    }

    // --- cleanup ---------------------------------------------------------------------------------------------------

    @Test
    void cleanupCutAfterTheRenameIsFinished() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged());
        disk.paths.add("trash/staging-" + s.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("StagingCleaned");
        assertThat(disk.paths).isEmpty();
    }

    // --- delete ----------------------------------------------------------------------------------------------------

    @Test
    void deleteCutAfterDeleteStartedIsFinished() throws IOException {
        history(new Event.LayerCreated(l, null, List.of(), null, ""),
                new Event.LayerCommitted(l, diffStaged().diffDigest(), 10, null, null, null),
                new Event.LayerDeleteStarted(l));
        disk.paths.add("layers/" + l.hex());

        RecoveryReport r = recover();

        assertThat(types(r)).containsExactly("LayerDeleted");
        assertThat(disk.paths).isEmpty();
    }

    @Test
    void deleteCutAfterTheRenameIsFinished() throws IOException {
        history(new Event.LayerCreated(l, null, List.of(), null, ""),
                new Event.LayerCommitted(l, diffStaged().diffDigest(), 10, null, null, null),
                new Event.LayerDeleteStarted(l));
        disk.paths.add("trash/" + l.hex());

        assertThat(types(recover())).containsExactly("LayerDeleted");
        assertThat(disk.paths).isEmpty();
    }

    // --- recovery itself -------------------------------------------------------------------------------------------

    @Test
    void recoveryIsIdempotentAndACrashInsideItIsRecoveredByRunningItAgain() throws IOException {
        history(new Event.StagingStarted(s, 42, "h"), diffStaged(), new Event.LayerCreated(l, null, List.of(), s, ""));
        disk.paths.add("staging/" + s.hex());
        disk.paths.add("layers/" + l.hex());
        disk.paths.add("layers/" + "f".repeat(64));
        // A crash after the first disk change and before its event: the move back happened, nothing journaled.
        disk.restoreStagedContents(l, s);

        RecoveryReport first = recover();
        live.close();
        RecoveryReport second = recover();

        assertThat(types(first)).containsExactly("LayerRolledBack", "OrphanRemoved");
        assertThat(second.clean()).isTrue();
        assertThat(disk.paths).containsExactlyInAnyOrder("staging/" + s.hex(), "staging/" + s.hex() + "/layer");
    }

    /** The store's folders as a set of relative paths; owner liveness as a set. */
    private static final class ModelDisk implements RecoveryDisk {
        final Set<String> paths = new TreeSet<>();
        final Set<StagingId> liveOwners = new TreeSet<>((a, b) -> a.hex().compareTo(b.hex()));

        private List<String> children(String dir) {
            List<String> out = new ArrayList<>();
            for (String p : paths) {
                if (p.startsWith(dir + "/") && p.indexOf('/', dir.length() + 1) < 0) {
                    out.add(p.substring(dir.length() + 1));
                }
            }
            return out;
        }

        private void removeAll(String prefix) {
            paths.removeIf(p -> p.equals(prefix) || p.startsWith(prefix + "/"));
        }

        @Override
        public List<String> layerFolders() {
            return children("layers");
        }

        @Override
        public List<String> stagingFolders() {
            return children("staging");
        }

        @Override
        public List<String> trashEntries() {
            return children("trash");
        }

        @Override
        public boolean stagingFolderExists(StagingId id) {
            return paths.contains("staging/" + id.hex());
        }

        @Override
        public boolean stagedContentsExist(StagingId id) {
            return paths.contains("staging/" + id.hex() + "/layer");
        }

        @Override
        public boolean layerFolderExists(LayerId id) {
            return paths.contains("layers/" + id.hex());
        }

        @Override
        public boolean stagingOwnerAlive(StagingId id) {
            return liveOwners.contains(id);
        }

        @Override
        public void restoreStagedContents(LayerId layer, StagingId staging) {
            paths.remove("layers/" + layer.hex());
            paths.add("staging/" + staging.hex() + "/layer");
        }

        @Override
        public void removeLayer(LayerId id) {
            removeAll("layers/" + id.hex());
            removeAll("trash/" + id.hex());
        }

        @Override
        public void removeStaging(StagingId id) {
            removeAll("staging/" + id.hex());
            removeAll("trash/staging-" + id.hex());
        }

        @Override
        public void removeOrphan(String relativePath) {
            removeAll(relativePath);
        }
    }
}
