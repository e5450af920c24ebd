package dev.cairn.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A stream that writes every byte read through it to a new file: how a staging keeps the bytes it is staged from, as
 * received, in the same pass that extracts them (an image's layer blob, kept for export and for a registry to serve).
 * {@link #finish} reads what the reader left to the end, and makes the file durable; {@link #close} closes the file
 * (not the input), complete or not — whoever made the file removes it if it was not finished. Not thread-safe: one
 * reader.
 */
final class BlobCopy extends FilterInputStream {

    private final FileChannel file;
    private final boolean sync;
    private boolean finished;

    /**
     * @param sync whether {@link #finish} fsyncs the file (off only with {@code StoreOptions.unsafeNoSync})
     */
    BlobCopy(InputStream in, Path file, boolean sync) throws IOException {
        super(in);
        this.file = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.sync = sync;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            ByteBuffer buf = ByteBuffer.wrap(b, off, n);
            while (buf.hasRemaining()) {
                file.write(buf);
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    /** No mark and reset: a reset would copy bytes twice. */
    @Override
    public boolean markSupported() {
        return false;
    }

    /** Copies the rest of the input (a reader may stop at a tar's end blocks) and makes the file durable. */
    void finish() throws IOException {
        byte[] buf = new byte[1 << 16];
        while (read(buf, 0, buf.length) >= 0) {
            // the bytes are written as they pass
        }
        if (sync) {
            file.force(true);
        }
        finished = true;
    }

    /** Whether {@link #finish} completed. */
    boolean finished() {
        return finished;
    }

    /** Closes the file; the input stays open (its owner closes it). */
    @Override
    public void close() throws IOException {
        file.close();
    }
}
