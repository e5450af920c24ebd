package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;

import java.util.Objects;

/**
 * What {@link TransparencyLog#proveExtends} established: the journal's tree of {@code treeSize} records, with root
 * {@code rootHash}, extends the kept checkpoint, and {@code proof} shows it to anyone who holds both roots.
 *
 * @param checkpoint the kept checkpoint
 * @param treeSize   the journal's size when it was checked
 * @param rootHash   the journal's root at that size
 * @param proof      the consistency proof from the checkpoint's size to {@code treeSize}, checked against both
 *                   roots; null for a checkpoint of the empty tree, which every tree extends
 */
public record ConsistencyCheck(Checkpoint checkpoint, long treeSize, Digest rootHash, ConsistencyProof proof) {

    public ConsistencyCheck {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(rootHash, "rootHash");
        if ((proof == null) != (checkpoint.size() == 0)) {
            throw new IllegalArgumentException("a proof exists exactly for a checkpoint of a non-empty tree");
        }
    }
}
