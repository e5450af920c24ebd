package dev.cairn.store;

import dev.cairn.model.Digest;

/**
 * A signed checkpoint of the store's journal, as {@link StoreProofs#checkpoint()} issued it (docs/PROOFS.md).
 *
 * @param origin      the store's checkpoint origin, the signing key's name
 * @param size        how many records the checkpoint covers (the last seq)
 * @param rootHash    the RFC 6962 root of their Merkle tree
 * @param note        the checkpoint as a C2SP signed note: what to keep in a file
 * @param verifierKey the key that verifies it, in the signed-note text form
 */
public record StoreCheckpoint(String origin, long size, Digest rootHash, String note, String verifierKey) {
}
