package dev.cairn.store;

import dev.cairn.model.Digest;

import java.util.List;

/**
 * What {@link StoreProofs#verifyCheckpoint} proved: the journal today extends a kept checkpoint.
 *
 * @param origin         the checkpoint's origin
 * @param checkpointSize the records the checkpoint covers
 * @param checkpointRoot its root
 * @param journalSize    the records the journal has now
 * @param journalRoot    their root
 * @param proof          the RFC 9162 consistency proof from the one to the other, checked; empty when the sizes are
 *                       equal or the checkpoint is of the empty journal
 * @param key            the verifier key the checkpoint's signature was checked with
 * @param storesOwnKey   whether that was the store's own key (read from the store) rather than one given by the caller
 */
public record CheckpointConsistency(String origin, long checkpointSize, Digest checkpointRoot, long journalSize,
                                    Digest journalRoot, List<Digest> proof, String key, boolean storesOwnKey) {

    public CheckpointConsistency {
        proof = List.copyOf(proof);
    }
}
