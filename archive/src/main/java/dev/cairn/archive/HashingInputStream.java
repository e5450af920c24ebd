package dev.cairn.archive;

import dev.cairn.model.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes bytes through while computing their sha256 and count. Read by one thread; {@link #count()} may be read from
 * any thread.
 */
final class HashingInputStream extends FilterInputStream {
    private final MessageDigest sha256 = Digest.newSha256();
    private volatile long count;

    HashingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            sha256.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            sha256.update(b, off, n);
            count += n;
        }
        return n;
    }

    /** Skipping would leave bytes unhashed, so it reads them. */
    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 8192)];
        int r = read(buf, 0, buf.length);
        return Math.max(r, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    long count() {
        return count;
    }

    /** The digest of everything read; call once, at the end. */
    Digest digest() {
        return Digest.ofBytes(sha256.digest());
    }
}
