package dev.cairn.store;

import dev.cairn.model.Digest;

import java.util.List;

/**
 * What {@link LayerStore#verify(boolean)} found.
 *
 * @param records       journal records verified (checksum, seq, chain)
 * @param lastSeq       the last seq
 * @param headHash      the hash of the last record, null for an empty journal
 * @param layersChecked layers whose contents were rehashed (0 without deep)
 * @param problems      one line per problem found in layer contents; empty when all is well
 */
public record StoreVerifyReport(long records, long lastSeq, Digest headHash, int layersChecked,
                                List<String> problems) {

    public StoreVerifyReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
