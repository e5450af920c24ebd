package dev.cairn.store;

import dev.cairn.model.JournalRecord;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link LayerStore#repair} did.
 *
 * @param changed         false if the journal was sound: nothing was changed
 * @param lastGoodSeq     the last journal record kept (for a sound journal, its last record)
 * @param lostRecords     records dropped after it, as far as they could be counted (at least this many)
 * @param damage          what verification of the journal reported; null if it was sound
 * @param backup          the damaged journal, kept whole beside the new one; null if nothing changed. Never
 *                        deleted automatically
 * @param recoveryActions what the recovery run by the open after the repair journaled (layers whose commit was
 *                        lost, removed as orphans, and the like)
 * @param verified        the verification of the store after the repair
 */
public record StoreRepairReport(boolean changed, long lastGoodSeq, long lostRecords, String damage, Path backup,
                                List<JournalRecord> recoveryActions, StoreVerifyReport verified) {

    public StoreRepairReport {
        recoveryActions = List.copyOf(recoveryActions);
    }
}
