package dev.cairn.store;

import dev.cairn.journal.JournalRepair;
import dev.cairn.model.StoreNotFoundException;
import dev.cairn.store.internal.StoreLayout;
import dev.cairn.store.internal.StoreLock;

import java.io.IOException;

/** {@link LayerStore#repair(java.nio.file.Path, StoreOptions)}: the journal repaired under the writers' lock. */
final class StoreRepair {

    private StoreRepair() {
    }

    static StoreRepairReport repair(StoreLayout layout, StoreOptions options) throws IOException {
        if (!layout.exists() && !JournalRepair.interrupted(layout.journal())) {
            throw new StoreNotFoundException(layout.root().toString());
        }
        JournalRepair.Result result;
        try (StoreLock lock = new StoreLock(layout.lockFile());
             StoreLock.Hold h = lock.acquire(options.lockTimeout())) {
            result = JournalRepair.repair(layout.journal(), options.actor());
        }
        try (LayerStore store = result.changed() ? LayerStore.open(layout.root(), options)
                : LayerStore.openReadOnly(layout.root(), options)) {
            return new StoreRepairReport(result.changed(), result.lastGoodSeq(), result.lostRecords(),
                    result.damage(), result.backup(), store.recoveryReport().actions(), store.verify(false));
        }
    }
}
