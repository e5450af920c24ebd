package dev.cairn.store.internal;

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
        assertThat(names(layout.root())).containsExactly("blobs", "journal", "layers", "owners", "snapshots",
                "staging", "trash");
        assertThat(names(layout.root().resolve("blobs"))).containsExactly("sha256", "tmp");
        assertThat(names(layout.journal())).contains("append.lock", "metadata.cq4t");
        assertThat(names(layout.trash())).as("the journal was built here and moved").isEmpty();
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
        layout.create();

        assertThat(names(layout.journal())).isEqualTo(journal);
        assertThat(names(layout.trash())).isEmpty();
    }

    @Test
    void manyCreatorsAtOnceAllSucceedAndOneJournalWins() throws Exception {
        StoreLayout layout = new StoreLayout(dir.resolve("raced"));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> creators = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                creators.add(pool.submit(() -> {
                    new StoreLayout(layout.root()).create();
                    return null;
                }));
            }
            for (Future<?> f : creators) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(layout.exists()).isTrue();
        assertThat(names(layout.trash())).as("the losers removed their journals").isEmpty();
        assertThat(names(layout.owners())).isEmpty();
    }
}
