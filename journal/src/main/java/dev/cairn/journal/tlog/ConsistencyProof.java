package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;

import java.util.ArrayList;
import java.util.List;

/**
 * That the tree of {@code size1} leaves is a prefix of the tree of {@code size2} leaves: RFC 9162 section 2.1.4's
 * consistency proof, the hashes from which both roots can be computed. Empty when the sizes are equal. Immutable;
 * the check is a pure function.
 *
 * @param size1 the older tree's size, at least 1 (no proof from the empty tree exists, or is needed)
 * @param size2 the newer tree's size, at least {@code size1}
 * @param path  the hashes of RFC 9162's PROOF(size1, D[size2])
 */
public record ConsistencyProof(long size1, long size2, List<Digest> path) {

    public ConsistencyProof {
        if (size1 < 1 || size1 > size2) {
            throw new IllegalArgumentException("a consistency proof needs 0 < size1 <= size2, got " + size1 + " and "
                    + size2);
        }
        path = List.copyOf(path);
    }

    /**
     * Checks that the tree with root {@code root1} at {@code size1} leaves is a prefix of the tree with root
     * {@code root2} at {@code size2}: RFC 9162 section 2.1.4.2 (equal sizes: an empty path and equal roots).
     *
     * @throws InvalidProofException if the proof does not show that
     */
    public void verify(Digest root1, Digest root2) throws InvalidProofException {
        if (size1 == size2) {
            if (!path.isEmpty()) {
                throw new InvalidProofException("consistency proof between equal sizes " + size1 + " has "
                        + path.size() + " hashes; it has none");
            }
            if (!root1.equals(root2)) {
                throw new InvalidProofException("two trees of " + size1 + " leaves have different roots "
                        + Hashes.base64(root1) + " and " + Hashes.base64(root2));
            }
            return;
        }
        if (path.isEmpty()) {
            throw new InvalidProofException("consistency proof from " + size1 + " to " + size2 + " leaves is empty");
        }
        List<byte[]> hashes = new ArrayList<>(path.size() + 1);
        if (Long.bitCount(size1) == 1) {
            hashes.add(root1.bytes());
        }
        path.forEach(d -> hashes.add(d.bytes()));
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = hashes.get(0);
        byte[] sr = hashes.get(0);
        for (byte[] c : hashes.subList(1, hashes.size())) {
            if (sn == 0) {
                throw new InvalidProofException("consistency proof from " + size1 + " to " + size2
                        + " leaves has more hashes than it needs (" + path.size() + ")");
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = Rfc6962.nodeHash(c, fr);
                sr = Rfc6962.nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = Rfc6962.nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) {
            throw new InvalidProofException("consistency proof from " + size1 + " to " + size2
                    + " leaves has fewer hashes than it needs (" + path.size() + ")");
        }
        if (!Digest.ofBytes(fr).equals(root1)) {
            throw new InvalidProofException("consistency proof from " + size1 + " to " + size2 + " leaves leads to "
                    + "old root " + Hashes.base64(Digest.ofBytes(fr)) + ", not " + Hashes.base64(root1));
        }
        if (!Digest.ofBytes(sr).equals(root2)) {
            throw new InvalidProofException("consistency proof from " + size1 + " to " + size2 + " leaves leads to "
                    + "new root " + Hashes.base64(Digest.ofBytes(sr)) + ", not " + Hashes.base64(root2));
        }
    }
}
