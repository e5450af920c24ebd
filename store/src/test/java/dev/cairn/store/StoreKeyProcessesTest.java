package dev.cairn.store;

import dev.cairn.io.DurableFiles;
import dev.cairn.journal.tlog.CheckpointKey;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.store.internal.StoreLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checkpoint signing key comes with the store (docs/PROOFS.md "Keys on disk"), with real child JVMs: processes
 * creating one store at once all end with one key, and a creator killed (SIGKILL) while it makes the key leaves no
 * key or a whole one, never one that blocks the store.
 */
class StoreKeyProcessesTest {

    @TempDir
    Path dir;

    private static List<String> names(Path folder) throws java.io.IOException {
        return DurableFiles.list(folder);
    }

    /** Starts a creator of the store at {@code store} and kills it (SIGKILL) once it says it is at {@code point}. */
    private static void killCreatorAt(Path store, String point) throws Exception {
        try (ChildJvm child = ChildJvm.start(store, "open", 1, "-Dcairn.test.pauseAt=" + point,
                "-Dcairn.test.pauseMs=600000")) {
            child.await("PAUSED " + point);
            child.kill();
        }
    }

    /** Opens (creating) the store as a writer, which runs recovery, and checks it. */
    private static void openAndCheck(Path store) throws Exception {
        try (LayerStore s = LayerStore.open(store)) {
            StoreInvariants.check(s);
        }
    }

    @Test
    void processesCreatingOneStoreAtOnceAllEndWithTheSameKey() throws Exception {
        Path store = dir.resolve("new-store");
        Path go = dir.resolve("go");
        List<ChildJvm> creators = new ArrayList<>();
        try {
            for (int i = 1; i <= 4; i++) {
                creators.add(ChildJvm.start(store, "key", i, "-Dcairn.test.startAt=" + go));
            }
            Thread.sleep(1500); // every JVM started and waiting
            Files.createFile(go);
            List<String> keys = new ArrayList<>();
            for (ChildJvm c : creators) {
                keys.add(c.await("KEY ").substring(4));
                assertThat(c.exitStatus()).as("a creator said %s", c.said()).isZero();
            }
            StoreLayout layout = new StoreLayout(store);
            assertThat(keys).containsOnly(CheckpointKey.load(layout.keys()).verifier().toString());
            assertThat(CheckpointKey.readVerifier(layout.keys()).toString()).isEqualTo(keys.get(0));
            assertThat(names(layout.keys())).containsExactly(CheckpointKey.KEY_FILE, CheckpointKey.PUBLIC_FILE);
            assertThat(names(layout.trash())).as("the losers removed the keys they built").isEmpty();
        } finally {
            for (ChildJvm c : creators) {
                c.close();
            }
        }
    }

    @Test
    void aCreatorKilledWithItsKeyBuiltButNotInPlaceLeavesNoKeyAndTheNextCreatorMakesOne() throws Exception {
        Path store = dir.resolve("store");
        StoreLayout layout = new StoreLayout(store);
        killCreatorAt(store, FaultPoints.KEY_BUILT);
        assertThat(layout.exists()).as("the store is made after its key").isFalse();
        assertThat(Files.exists(layout.keys())).isFalse();
        List<String> debris = names(layout.trash());
        assertThat(debris).hasSize(1);
        assertThat(names(layout.trash().resolve(debris.get(0))))
                .containsExactly(CheckpointKey.KEY_FILE, CheckpointKey.PUBLIC_FILE);

        openAndCheck(store);

        assertThat(names(layout.keys())).containsExactly(CheckpointKey.KEY_FILE, CheckpointKey.PUBLIC_FILE);
        assertThat(CheckpointKey.readVerifier(layout.keys())).isEqualTo(CheckpointKey.load(layout.keys()).verifier());
        assertThat(names(layout.trash())).as("recovery removed the dead creator's key").isEmpty();
        assertThat(names(layout.owners())).isEmpty();
    }

    @Test
    void aCreatorKilledWithItsKeyInPlaceButNoJournalYetLeavesAWholeKeyThatTheStoreKeeps() throws Exception {
        Path store = dir.resolve("store");
        StoreLayout layout = new StoreLayout(store);
        killCreatorAt(store, FaultPoints.KEY_IN_PLACE);
        assertThat(layout.exists()).isFalse();
        String made = CheckpointKey.load(layout.keys()).verifier().toString();

        openAndCheck(store);

        assertThat(CheckpointKey.load(layout.keys()).verifier().toString()).isEqualTo(made);
        assertThat(names(layout.keys())).containsExactly(CheckpointKey.KEY_FILE, CheckpointKey.PUBLIC_FILE);
        assertThat(names(layout.trash())).isEmpty();
        assertThat(names(layout.owners())).as("the dead creator's lock is removed by recovery").isEmpty();
    }
}
