package dev.cairn.store.internal;

import dev.cairn.journal.tlog.CheckpointKey;
import dev.cairn.journal.tlog.NoteVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Making a store: atomic, idempotent, in a missing root or an existing empty one, by many at once. */
class StoreLayoutTest {

    @TempDir
    Path dir;

    private static List<String> names(Path folder) throws Exception {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aStoreIsMadeWholeInAMissingRootAndExistsOnlyOnceItsJournalIsInPlace() throws Exception {
        StoreLayout layout = new StoreLayout(dir.resolve("a/b/store"));
        assertThat(layout.exists()).isFalse();

        layout.create();

        assertThat(layout.exists()).isTrue();
        assertThat(names(layout.root())).containsExactly("blobs", "journal", "keys", "layers", "owners", "snapshots",
                "staging", "trash");
        assertThat(names(layout.root().resolve("blobs"))).containsExactly("sha256", "tmp");
        assertThat(names(layout.journal())).contains("append.lock", "metadata.cq4t");
        assertThat(names(layout.trash())).as("the journal and the key were built here and moved").isEmpty();
        assertThat(names(layout.keys())).containsExactly(CheckpointKey.KEY_FILE, CheckpointKey.PUBLIC_FILE);
        assertThat(Files.getPosixFilePermissions(layout.keys().resolve(CheckpointKey.KEY_FILE)))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(CheckpointKey.readVerifier(layout.keys())).isEqualTo(CheckpointKey.load(layout.keys()).verifier());
        assertThat(names(layout.owners())).as("its builder's lock is gone").isEmpty();
        assertThat(Files.getPosixFilePermissions(layout.root()))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void anExistingEmptyRootIsUsedAsItIsAndCreatingAgainChangesNothing() throws Exception {
        Path root = Files.createDirectory(dir.resolve("mounted"));
        StoreLayout layout = new StoreLayout(root);

        layout.create();
        List<String> journal = names(layout.journal());
        CheckpointKey key = CheckpointKey.load(layout.keys());
        layout.create();

        assertThat(names(layout.journal())).isEqualTo(journal);
        assertThat(names(layout.trash())).isEmpty();
        assertThat(CheckpointKey.load(layout.keys()).verifier()).as("the key made first is kept")
                .isEqualTo(key.verifier());
    }

    @Test
    void manyCreatorsAtOnceAllSucceedAndOneJournalAndOneKeyWin() throws Exception {
        StoreLayout layout = new StoreLayout(dir.resolve("raced"));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<NoteVerifier> keys = new ArrayList<>();
        try {
            List<Future<NoteVerifier>> creators = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                creators.add(pool.submit(() -> {
                    StoreLayout mine = new StoreLayout(layout.root());
                    mine.create();
                    return mine.checkpointKey().verifier();
                }));
            }
            for (Future<NoteVerifier> f : creators) {
                keys.add(f.get(2, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(layout.exists()).isTrue();
        assertThat(names(layout.trash())).as("the losers removed their journals and keys").isEmpty();
        assertThat(names(layout.owners())).isEmpty();
        assertThat(keys).as("every creator has the key that won").containsOnly(CheckpointKey.readVerifier(
                layout.keys()));
    }

    @Test
    void anEmptyKeysFolderAnOlderCrashLeftIsReplacedByAWholeKey() throws Exception {
        StoreLayout layout = new StoreLayout(dir.resolve("old"));
        Files.createDirectories(layout.keys());

        layout.create();

        assertThat(names(layout.keys())).containsExactly(CheckpointKey.KEY_FILE, CheckpointKey.PUBLIC_FILE);
    }

    @Test
    void aKeysFolderWithoutAKeyButWithOtherFilesIsRefusedNamingItAndLeftAsItIs() throws Exception {
        StoreLayout layout = new StoreLayout(dir.resolve("odd"));
        Files.createDirectories(layout.keys());
        Files.writeString(layout.keys().resolve("notes.txt"), "mine");

        assertThatThrownBy(layout::create).hasMessageContaining(layout.keys().toString());

        assertThat(layout.exists()).isFalse();
        assertThat(names(layout.keys())).containsExactly("notes.txt");
        assertThat(names(layout.trash())).isEmpty();
        assertThat(names(layout.owners())).isEmpty();
    }
}
