package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;

import java.util.List;

/**
 * That leaf {@code index} is in the tree of {@code treeSize} leaves: RFC 9162 section 2.1.3's inclusion path, the
 * hashes of the siblings on the way from the leaf to the root, the leaf's own sibling first. For a journal, leaf
 * {@code index} is the record with seq {@code index + 1}. Immutable; the checks are pure functions.
 *
 * @param index    the leaf's index, {@code 0 <= index < treeSize}
 * @param treeSize the size of the tree the proof is for
 * @param path     the sibling hashes, bottom up
 */
public record InclusionProof(long index, long treeSize, List<Digest> path) {

    public InclusionProof {
        if (index < 0 || treeSize < 1 || index >= treeSize) {
            throw new IllegalArgumentException("no leaf " + index + " in a tree of " + treeSize + " leaves");
        }
        path = List.copyOf(path);
    }

    /**
     * The root this proof leads to from {@code leafHash}: RFC 9162 section 2.1.3.2, steps 1 to 4.
     *
     * @throws InvalidProofException if the path has not exactly as many hashes as the index and size need
     */
    public Digest rootFrom(Digest leafHash) throws InvalidProofException {
        int needed = length(index, treeSize);
        if (path.size() != needed) {
            throw new InvalidProofException("inclusion proof of leaf " + index + " in a tree of " + treeSize
                    + " leaves has " + path.size() + " hashes; such a proof has " + needed);
        }
        long fn = index;
        long sn = treeSize - 1;
        byte[] r = leafHash.bytes();
        for (Digest p : path) {
            if ((fn & 1) == 1 || fn == sn) {
                r = Rfc6962.nodeHash(p.bytes(), r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = Rfc6962.nodeHash(r, p.bytes());
            }
            fn >>= 1;
            sn >>= 1;
        }
        return Digest.ofBytes(r);
    }

    /**
     * Checks that the leaf hashing to {@code leafHash} is leaf {@code index} of the tree whose root is {@code root}.
     *
     * @throws InvalidProofException if it does not
     */
    public void verify(Digest leafHash, Digest root) throws InvalidProofException {
        Digest computed = rootFrom(leafHash);
        if (!computed.equals(root)) {
            throw new InvalidProofException("inclusion proof of leaf " + index + " leads to root "
                    + Hashes.base64(computed) + ", not to the tree of " + treeSize + " leaves' root "
                    + Hashes.base64(root));
        }
    }

    /** Checks that {@code leaf} (the leaf's data, e.g. a journal record's bytes) is in the tree with {@code root}. */
    public void verifyLeaf(byte[] leaf, Digest root) throws InvalidProofException {
        verify(Digest.ofBytes(Rfc6962.leafHash(leaf)), root);
    }

    /** How many hashes the inclusion proof of leaf {@code index} in a tree of {@code treeSize} has. */
    static int length(long index, long treeSize) {
        int n = 0;
        for (long fn = index, sn = treeSize - 1; sn != 0; fn >>= 1, sn >>= 1) {
            n++;
            if (fn == sn && (fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        }
        return n;
    }
}
