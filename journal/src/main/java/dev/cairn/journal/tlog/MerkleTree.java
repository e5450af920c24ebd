package dev.cairn.journal.tlog;

import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.Digest;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only Merkle tree with the hashing of RFC 6962 / RFC 9162 section 2.1, over leaves given in order, kept in
 * a {@link TreeFile} (or in memory). It answers for any size up to its own: the root, the inclusion proof of a leaf
 * (RFC 9162 section 2.1.3.1) and the consistency proof between two sizes (section 2.1.4.1), each from
 * O(log n) stored hashes, because every complete subtree's hash is stored and any other node of a tree of size m
 * splits into O(log m) complete ones.
 *
 * <p>Appending a leaf costs its leaf hash plus one node hash per subtree it completes (amortized one), written to
 * memory; {@link #flush()} writes them to the file in one go. The right edge of the tree (the roots of the complete
 * subtrees a tree of this size splits into, at most 64) is kept in memory, so the root at the current size costs no
 * read at all, and a proof in the tree of the current size reads only the complete subtrees off that edge.
 *
 * <p>Indexes here are RFC 9162's: leaf 0 is the first. Not thread-safe.
 */
public final class MerkleTree implements Closeable {

    private final TreeFile nodes;
    private long size;
    /** {@code edge[l]}: the root of the complete subtree of 2^l leaves on the right edge, where bit l of size is set. */
    private final byte[][] edge = new byte[64][];

    private MerkleTree(TreeFile nodes) throws IOException {
        this.nodes = nodes;
        reload();
    }

    /** An empty tree in memory. */
    public static MerkleTree inMemory() throws IOException {
        return new MerkleTree(TreeFile.inMemory());
    }

    /**
     * Opens the tree file {@code file}, creating it if absent, for appending; a last leaf left half-written by a
     * crash is cut off. See {@link TreeFile} for the format.
     *
     * @throws FormatTooNewException if the file was written by a newer Cairn
     * @throws IOException           if it is damaged (its header or an unsynced entry fails its check)
     */
    public static MerkleTree open(Path file) throws IOException {
        return new MerkleTree(TreeFile.open(file, true));
    }

    /** Opens the tree file for reading only: appends are kept in memory; a missing file is an empty tree. */
    static MerkleTree openReadOnly(Path file) throws IOException {
        return new MerkleTree(TreeFile.open(file, false));
    }

    /** The tree over existing {@code nodes}. */
    static MerkleTree over(TreeFile nodes) throws IOException {
        return new MerkleTree(nodes);
    }

    /** The file behind this tree; null in memory. */
    Path path() {
        return nodes.path();
    }

    /** Whether appends reach a file. */
    boolean writable() {
        return nodes.writable();
    }

    /** How many leaves the tree has. */
    public long size() {
        return size;
    }

    /** Appends a leaf whose data is {@code leaf}: RFC 6962 leaf hash {@code SHA-256(0x00 || leaf)}. */
    public void appendLeaf(byte[] leaf) {
        appendLeafHash(Rfc6962.leafHash(leaf));
    }

    /** Appends a leaf by its leaf hash. */
    void appendLeafHash(byte[] leafHash) {
        byte[] hash = leafHash;
        nodes.append(hash);
        int level = 0;
        for (long m = size; (m & 1) == 1; m >>>= 1, level++) {
            hash = Rfc6962.nodeHash(edge[level], hash);
            edge[level] = null;
            nodes.append(hash);
        }
        edge[level] = hash;
        size++;
    }

    /** Writes what was appended to the file. */
    public void flush() throws IOException {
        nodes.flush();
    }

    /** Flushes and fsyncs the file. */
    void sync() throws IOException {
        nodes.sync();
    }

    /**
     * Takes in what another process appended to the file.
     *
     * @return false if the file was replaced since it was opened (reopen it)
     */
    boolean refresh() throws IOException {
        long before = nodes.entries();
        if (!nodes.refresh()) {
            return false;
        }
        if (nodes.entries() != before) {
            reload();
        }
        return true;
    }

    /** Drops every leaf from {@code newSize} on (the tree then answers as it did at that size). */
    void truncate(long newSize) throws IOException {
        if (newSize < 0 || newSize > size) {
            throw new IllegalArgumentException("cannot truncate a tree of " + size + " leaves to " + newSize);
        }
        nodes.truncate(TreeFile.entriesFor(newSize));
        reload();
    }

    private void reload() throws IOException {
        long leaves = TreeFile.leavesIn(nodes.entries());
        if (TreeFile.entriesFor(leaves) != nodes.entries()) {
            nodes.truncate(TreeFile.entriesFor(leaves));
        }
        size = leaves;
        java.util.Arrays.fill(edge, null);
        for (int level = 63; level >= 0; level--) {
            if ((leaves >>> level & 1) == 1) {
                edge[level] = nodes.read(TreeFile.position(level, (leaves >>> level) - 1));
            }
        }
    }

    /** How many stored hashes this tree has read; for tests of what an answer costs. */
    long reads() {
        return nodes.reads();
    }

    /** The stored hash at {@code position} of the tree file (see {@link TreeFile#position}). */
    byte[] node(long position) throws IOException {
        return nodes.read(position);
    }

    /** The hash of leaf {@code index}. */
    public Digest leafHash(long index) throws IOException {
        checkIndex(index, size);
        return Digest.ofBytes(nodes.read(TreeFile.position(0, index)));
    }

    /** The root of the tree of the first {@code treeSize} leaves (RFC 9162's MTH); the empty tree's for 0. */
    public Digest rootHash(long treeSize) throws IOException {
        return Digest.ofBytes(root(treeSize));
    }

    byte[] root(long treeSize) throws IOException {
        checkSize(treeSize);
        if (treeSize == 0) {
            return Rfc6962.emptyRoot();
        }
        if (treeSize < size) {
            return rangeHash(0, treeSize);
        }
        byte[] root = null;
        for (int level = 0; level < 64; level++) {
            if (edge[level] != null) {
                root = root == null ? edge[level] : Rfc6962.nodeHash(edge[level], root);
            }
        }
        return root;
    }

    /**
     * The inclusion proof of leaf {@code index} in the tree of {@code treeSize} leaves: RFC 9162's PATH, the
     * sibling hashes from the leaf's up to the root's child.
     */
    public InclusionProof inclusionProof(long index, long treeSize) throws IOException {
        checkSize(treeSize);
        checkIndex(index, treeSize);
        List<byte[]> path = new ArrayList<>();
        path(index, 0, treeSize, path);
        return new InclusionProof(index, treeSize, digests(path));
    }

    /**
     * The consistency proof between the trees of {@code size1} and {@code size2} leaves, {@code 0 < size1 <= size2}:
     * RFC 9162's PROOF (empty when the sizes are equal).
     */
    public ConsistencyProof consistencyProof(long size1, long size2) throws IOException {
        checkSize(size2);
        if (size1 < 1 || size1 > size2) {
            throw new IllegalArgumentException("a consistency proof needs 0 < size1 <= size2, got " + size1 + " and "
                    + size2);
        }
        List<byte[]> path = new ArrayList<>();
        if (size1 < size2) {
            subproof(size1, 0, size2, true, path);
        }
        return new ConsistencyProof(size1, size2, digests(path));
    }

    /** PATH(m, D[lo:hi]) with m an absolute index: the deepest sibling first. */
    private void path(long m, long lo, long hi, List<byte[]> out) throws IOException {
        if (hi - lo == 1) {
            return;
        }
        long k = Rfc6962.splitPoint(hi - lo);
        if (m < lo + k) {
            path(m, lo, lo + k, out);
            out.add(rangeHash(lo + k, hi));
        } else {
            path(m, lo + k, hi, out);
            out.add(rangeHash(lo, lo + k));
        }
    }

    /** SUBPROOF(m, D[lo:hi], b) with m the absolute size of the older tree. */
    private void subproof(long m, long lo, long hi, boolean whole, List<byte[]> out) throws IOException {
        if (m == hi) {
            if (!whole) {
                out.add(rangeHash(lo, hi));
            }
            return;
        }
        long k = Rfc6962.splitPoint(hi - lo);
        if (m <= lo + k) {
            subproof(m, lo, lo + k, whole, out);
            out.add(rangeHash(lo + k, hi));
        } else {
            subproof(m, lo + k, hi, false, out);
            out.add(rangeHash(lo, lo + k));
        }
    }

    /**
     * MTH(D[lo:hi]) for a node of the RFC 9162 tree ({@code lo} a multiple of the smallest power of two >= hi - lo):
     * one stored hash when the range is a complete subtree, else its left complete subtree and, recursively, the
     * rest.
     */
    private byte[] rangeHash(long lo, long hi) throws IOException {
        long n = hi - lo;
        if (Long.bitCount(n) == 1) {
            int level = Long.numberOfTrailingZeros(n);
            long index = lo >>> level;
            // the right edge of the whole tree is in memory
            if (edge[level] != null && index == (size >>> level) - 1) {
                return edge[level];
            }
            return nodes.read(TreeFile.position(level, index));
        }
        long k = Rfc6962.splitPoint(n);
        return Rfc6962.nodeHash(rangeHash(lo, lo + k), rangeHash(lo + k, hi));
    }

    private void checkSize(long treeSize) {
        if (treeSize < 0 || treeSize > size) {
            throw new IllegalArgumentException("tree size " + treeSize + " is beyond this tree's " + size + " leaves");
        }
    }

    private static void checkIndex(long index, long treeSize) {
        if (index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("leaf index " + index + " is not in a tree of " + treeSize + " leaves");
        }
    }

    private static List<Digest> digests(List<byte[]> hashes) {
        List<Digest> out = new ArrayList<>(hashes.size());
        for (byte[] h : hashes) {
            out.add(Digest.ofBytes(h));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        nodes.close();
    }
}
