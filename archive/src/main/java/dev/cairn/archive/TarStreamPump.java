package dev.cairn.archive;

import dev.cairn.model.Compression;
import dev.cairn.model.CorruptArchiveException;
import dev.cairn.model.Digest;
import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads the raw input on its own thread: detects the compression, hashes the bytes as received, decompresses,
 * hashes the tar stream and hands it over in large buffers through a bounded queue, so that decompression and
 * hashing overlap with the extracting thread's writes. After the decompressed stream ends it drains the raw input
 * to its end, so that the compressed digest covers every byte received.
 *
 * <p>One producer (the pump thread) and one consumer ({@link #tarStream()}, read by the thread that created the
 * pump). Digests and sizes are readable by the consumer once {@link #tarStream()} has returned end of stream.
 */
final class TarStreamPump implements AutoCloseable {

    static final int BUFFER_SIZE = 1 << 20;
    private static final int BUFFERS = 8;
    private static final Chunk END = new Chunk(null, 0);

    private record Chunk(byte[] bytes, int length) { }

    /** The uncompressed stream grew past {@link ExtractOptions#maxDiffSize()}; the consumer names the entry. */
    static final class SizeLimitExceeded extends IOException {
        private static final long serialVersionUID = 1L;

        SizeLimitExceeded(String message) {
            super(message);
        }
    }

    private final HashingInputStream rawCounter;
    private final BufferedInputStream buffered;
    private final Compression compression;
    private final long maxDiffSize;
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final Thread thread;
    private final Consumer consumer = new Consumer();
    private final MessageDigest diffHash = Digest.newSha256();

    private volatile IOException failure;
    private volatile IOException rawFailure;
    private long diffSize;
    private Digest diffDigest;
    private Digest compressedDigest;

    private TarStreamPump(InputStream raw, long maxDiffSize) throws IOException {
        this.rawCounter = new HashingInputStream(new RawInput(raw));
        this.buffered = new BufferedInputStream(rawCounter, 1 << 16);
        this.maxDiffSize = maxDiffSize;
        buffered.mark(8);
        byte[] magic = buffered.readNBytes(4);
        buffered.reset();
        this.compression = CompressionSniffer.detect(magic);
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new byte[BUFFER_SIZE]);
        }
        this.thread = new Thread(this::run, "cairn-extract-reader");
        thread.setDaemon(true);
    }

    /** Sniffs the compression from the first bytes (on the caller's thread) and starts the reader thread. */
    static TarStreamPump start(InputStream raw, long maxDiffSize) throws IOException {
        TarStreamPump pump = new TarStreamPump(raw, maxDiffSize);
        pump.thread.start();
        return pump;
    }

    Compression compression() {
        return compression;
    }

    /** The uncompressed tar stream, to be read by one thread only. */
    InputStream tarStream() {
        return consumer;
    }

    /** Raw bytes the pump has read so far; safe from any thread. */
    long rawBytesRead() {
        return rawCounter.count();
    }

    /** Whether {@code e} (or a cause) is a failure of reading the caller's raw input rather than of its content. */
    boolean isRawReadFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t == rawFailure) {
                return true;
            }
        }
        return false;
    }

    /** Only after {@link #tarStream()} has returned end of stream. */
    Digest compressedDigest() {
        return compressedDigest;
    }

    long compressedSize() {
        return rawCounter.count();
    }

    Digest diffDigest() {
        return diffDigest;
    }

    long diffSize() {
        return diffSize;
    }

    private void run() {
        try {
            InputStream tar = switch (compression) {
                case NONE -> buffered;
                case GZIP -> GzipInflaters.open(buffered);
                case ZSTD -> new ZstdInputStream(buffered);
            };
            long size = 0;
            while (true) {
                byte[] buf = free.take();
                int n = tar.readNBytes(buf, 0, buf.length);
                if (n <= 0) {
                    free.add(buf);
                    break;
                }
                if (compression != Compression.NONE) {
                    diffHash.update(buf, 0, n);
                }
                size += n;
                if (size > maxDiffSize) {
                    throw new SizeLimitExceeded("the uncompressed stream is longer than the limit of " + maxDiffSize
                            + " bytes (maxDiffSize)");
                }
                full.put(new Chunk(buf, n));
            }
            byte[] skip = new byte[1 << 16];
            while (buffered.read(skip) >= 0) {
                if (rawCounter.count() > maxDiffSize) {
                    throw new SizeLimitExceeded("the input is longer than the limit of " + maxDiffSize
                            + " bytes (maxDiffSize)");
                }
            }
            compressedDigest = rawCounter.digest();
            diffDigest = compression == Compression.NONE ? compressedDigest : Digest.ofBytes(diffHash.digest());
            diffSize = size;
            full.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            failure = classify(e);
            try {
                full.put(END);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private IOException classify(Exception e) {
        if (e instanceof SizeLimitExceeded limit) {
            return limit;
        }
        if (isRawReadFailure(e)) {
            return (IOException) rawFailureOf(e);
        }
        String where = " at byte " + rawCounter.count() + " of the input";
        // In the user's terms: the JDK's own words ("Unexpected end of ZLIB input stream") say nothing to them.
        if (e instanceof EOFException) {
            return new CorruptArchiveException("the " + compression.label() + " stream ends early" + where
                    + " (truncated download?)", e);
        }
        return new CorruptArchiveException("the " + compression.label() + " stream is corrupt" + where
                + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
    }

    private Throwable rawFailureOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t == rawFailure) {
                return t;
            }
        }
        return e;
    }

    /** Stops the reader thread if it still runs and waits for it; the caller's stream is not closed. */
    @Override
    public void close() {
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Marks exceptions thrown by the caller's stream so that they are not mistaken for corrupt content. */
    private final class RawInput extends InputStream {
        private final InputStream in;

        RawInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                rawFailure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                rawFailure = e;
                throw e;
            }
        }
    }

    /** The consumer's view of the queue; not thread-safe. */
    private final class Consumer extends InputStream {
        private Chunk current;
        private int pos;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current.bytes, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            if (n <= 0 || !fill()) {
                return 0;
            }
            int k = (int) Math.min(n, current.length - pos);
            pos += k;
            return k;
        }

        private boolean fill() throws IOException {
            if (current != null && pos < current.length) {
                return true;
            }
            if (ended) {
                return false;
            }
            if (current != null) {
                free.add(current.bytes);
                current = null;
            }
            Chunk next;
            try {
                next = full.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading the layer stream");
            }
            if (next == END) {
                ended = true;
                IOException f = failure;
                if (f != null) {
                    throw f;
                }
                return false;
            }
            current = next;
            pos = 0;
            return true;
        }
    }
}
