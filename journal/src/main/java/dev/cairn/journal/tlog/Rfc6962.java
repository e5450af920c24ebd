package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;

import java.security.MessageDigest;

/**
 * The hashing of RFC 6962 section 2.1 (RFC 9162 section 2.1.1) with SHA-256: a leaf hash is
 * {@code SHA-256(0x00 || leaf)}, an interior node's hash is {@code SHA-256(0x01 || left || right)}, and the empty
 * tree's root is {@code SHA-256()} of nothing. The prefixes keep a leaf from ever being taken for a node. Hashes are
 * raw 32-byte arrays here; stateless and thread-safe (one {@link MessageDigest} per thread).
 */
final class Rfc6962 {

    /** The size of every hash. */
    static final int HASH_SIZE = 32;
    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Digest::newSha256);
    private static final byte[] EMPTY_ROOT = SHA256.get().digest();

    private Rfc6962() {
    }

    /** The hash of a leaf whose data is {@code leaf}. */
    static byte[] leafHash(byte[] leaf) {
        MessageDigest sha = SHA256.get();
        sha.update(LEAF_PREFIX);
        sha.update(leaf);
        return sha.digest();
    }

    /** The hash of the node whose children hash to {@code left} and {@code right}. */
    static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest sha = SHA256.get();
        sha.update(NODE_PREFIX);
        sha.update(left);
        sha.update(right);
        return sha.digest();
    }

    /** The root of the empty tree (a copy). */
    static byte[] emptyRoot() {
        return EMPTY_ROOT.clone();
    }

    /** The largest power of two smaller than {@code n}; {@code n} must be at least 2 (RFC 9162's k). */
    static long splitPoint(long n) {
        return Long.highestOneBit(n - 1);
    }
}
