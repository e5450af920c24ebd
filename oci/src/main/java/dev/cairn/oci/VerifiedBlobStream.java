package dev.cairn.oci;

import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.SizeMismatchException;
import dev.cairn.model.UnsupportedImageException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * A blob's bytes, checked against its descriptor while they stream: the size as they come — the first read that would
 * run past it fails with {@link SizeMismatchException} and hands out none of the extra bytes — and the digest at the
 * end: the read that meets the end of the input fails with {@link DigestMismatchException} (or a size mismatch, if
 * the input ran short) instead of reporting end of stream. So a reader that consumes the stream to its end never
 * takes a bad blob for a good one, and a store can stage a layer while its blob is read and discard the staging when
 * the last read fails.
 *
 * <p>A consumer that may stop before the end (a tar reader stops at the end-of-archive blocks) calls
 * {@link #verifyToEnd()} before it trusts what it read. {@link #close()} checks nothing: closing early abandons the
 * blob. {@link #skip} reads and hashes what it skips. Not thread-safe: one reader at a time; {@link #count()} may be
 * read from any thread (progress).
 */
public final class VerifiedBlobStream extends FilterInputStream {

    private final String subject;
    private final OciDigest expected;
    private final long size;
    private final MessageDigest hasher;
    private volatile long count;
    private boolean verified;
    private IOException failure;

    /**
     * @param in      the blob's bytes
     * @param subject names the blob in errors, e.g. {@code layer 2 blob sha256:... in oci:/x}
     * @throws UnsupportedImageException if the descriptor's digest algorithm cannot be verified (neither sha256 nor
     *                                   sha512)
     */
    public VerifiedBlobStream(InputStream in, Descriptor descriptor, String subject) throws UnsupportedImageException {
        this(in, descriptor.digest(), descriptor.size(), subject);
    }

    /** As above, from a digest and size. */
    public VerifiedBlobStream(InputStream in, OciDigest expected, long size, String subject)
            throws UnsupportedImageException {
        super(in);
        this.subject = subject;
        this.expected = expected;
        this.size = size;
        this.hasher = expected.newHasher(subject);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (len == 0) {
            return 0;
        }
        if (verified) {
            // the end was met and checked; the input may be closed by now (a SequenceInputStream closes its parts)
            return -1;
        }
        if (count == size) {
            // Ask the input for one byte more than promised: only end of input is right here.
            int extra = in.read();
            if (extra >= 0) {
                throw fail(new SizeMismatchException(subject, size, size + 1));
            }
            verifyDigest();
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, size - count));
        if (n < 0) {
            throw fail(new SizeMismatchException(subject, size, count));
        }
        hasher.update(b, off, n);
        count += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 64 * 1024)];
        int r = read(buf, 0, buf.length);
        return Math.max(r, 0);
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), size - count);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // Not supported: a reset would hash bytes twice.
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    /**
     * Reads whatever is left (hashing it) and checks size and digest; returns normally only for the blob the
     * descriptor promised. Idempotent once it has succeeded.
     */
    public void verifyToEnd() throws IOException {
        byte[] buf = new byte[64 * 1024];
        while (read(buf, 0, buf.length) >= 0) {
            // drain
        }
    }

    /** Whether the end was reached and digest and size matched. */
    public boolean verified() {
        return verified;
    }

    /** The bytes read (and hashed) so far. */
    public long count() {
        return count;
    }

    /** The digest the blob must have. */
    public OciDigest expected() {
        return expected;
    }

    private void verifyDigest() throws IOException {
        if (verified) {
            return;
        }
        OciDigest actual = expected.withHash(hasher.digest());
        if (!actual.equals(expected)) {
            throw fail(new DigestMismatchException(subject, expected.toString(), actual.toString()));
        }
        verified = true;
    }

    /** Every later read fails the same way: the blob is bad, whatever is read next. */
    private IOException fail(IOException e) {
        failure = e;
        return e;
    }
}
