package dev.cairn.store;

import dev.cairn.model.Digest;
import dev.cairn.model.RecoveryPlan;

import java.util.List;

/**
 * What {@link LayerStore#verify(boolean)} found.
 *
 * @param records         journal records verified (checksum, seq, chain)
 * @param lastSeq         the last seq
 * @param headHash        the hash of the last record, null for an empty journal
 * @param layersChecked   layers whose contents were rehashed (0 without deep)
 * @param problems        one line per problem found in layer contents; empty when all is well
 * @param pendingRecovery what recovery would do now (unfinished sagas of dead processes, orphans): not damage,
 *                        nothing a reader sees, but work for {@link LayerStore#recover()}; empty when there is none
 */
public record StoreVerifyReport(long records, long lastSeq, Digest headHash, int layersChecked,
                                List<String> problems, List<RecoveryPlan.Step> pendingRecovery) {

    public StoreVerifyReport {
        problems = List.copyOf(problems);
        pendingRecovery = List.copyOf(pendingRecovery);
    }

    /** Whether no problem was found (pending recovery work is not a problem). */
    public boolean ok() {
        return problems.isEmpty();
    }
}
