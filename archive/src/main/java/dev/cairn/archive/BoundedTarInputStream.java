package dev.cairn.archive;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * A commons-compress tar reader with the checks it lacks: every header block must have a valid checksum, a header
 * cut short by the end of the stream is an error (not a silent end), and PAX extended headers ({@code x},
 * {@code g}) and GNU long-name/long-link blocks ({@code L}, {@code K}) larger than a limit are refused before they
 * are read into memory. Names are decoded as UTF-8; bytes that are not UTF-8 become U+FFFD (see
 * {@link LayerExtractor}). Single-threaded.
 */
final class BoundedTarInputStream extends TarArchiveInputStream {

    /** A metadata header over {@link ExtractOptions#maxPaxHeaderBytes()}. */
    static final class HeaderTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        HeaderTooLarge(String message) {
            super(message);
        }
    }

    private static final int OLD_GNU_SPARSE_EXTENDED = 482;
    private static final int SPARSE_EXTENSION_EXTENDED = 504;

    private final Counter counter;
    private final long maxHeaderBytes;
    /** The next record continues an old GNU sparse header and has no checksum of its own. */
    private boolean sparseExtensionNext;
    private boolean afterZeroRecord;

    private BoundedTarInputStream(Counter counter, long maxHeaderBytes) {
        super(counter, StandardCharsets.UTF_8.name());
        this.counter = counter;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    static BoundedTarInputStream over(InputStream in, long maxHeaderBytes) {
        return new BoundedTarInputStream(new Counter(in), maxHeaderBytes);
    }

    /** Bytes of the tar stream consumed so far. */
    long position() {
        return counter.count;
    }

    @Override
    protected byte[] readRecord() throws IOException {
        long before = counter.count;
        byte[] record = super.readRecord();
        if (record == null) {
            long got = counter.count - before;
            if (got > 0) {
                throw new EOFException("the stream ends inside a header block (" + got + " of 512 bytes, at byte "
                        + before + ")");
            }
            return null;
        }
        if (sparseExtensionNext) {
            sparseExtensionNext = record[SPARSE_EXTENSION_EXTENDED] != 0;
            return record;
        }
        if (isZero(record)) {
            afterZeroRecord = true;
            return record;
        }
        if (afterZeroRecord) {
            return record; // what follows a single zero block is not read as a header
        }
        if (!checksumOk(record)) {
            throw new IOException("header block at byte " + before + " has a bad checksum");
        }
        byte flag = record[156];
        sparseExtensionNext = flag == 'S' && record[OLD_GNU_SPARSE_EXTENDED] != 0;
        if (flag == 'x' || flag == 'g' || flag == 'X' || flag == 'L' || flag == 'K') {
            long size;
            try {
                size = TarUtils.parseOctalOrBinary(record, 124, 12);
            } catch (IllegalArgumentException e) {
                throw new IOException("header block at byte " + before + " has a bad size field", e);
            }
            if (size > maxHeaderBytes) {
                throw new HeaderTooLarge("a " + (flag == 'L' || flag == 'K' ? "GNU long-name" : "PAX")
                        + " header of " + size + " bytes is larger than the limit of " + maxHeaderBytes
                        + " bytes (maxPaxHeaderBytes)");
            }
        }
        return record;
    }

    static boolean isZero(byte[] block) {
        for (int i = 0; i < 512; i++) {
            if (block[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a 512-byte header's checksum field (octal at bytes 148-155) equals the sum of its bytes with that field
     * taken as spaces, summed unsigned (POSIX) or signed (some old tars).
     */
    static boolean checksumOk(byte[] block) {
        int i = 148;
        while (i < 156 && (block[i] == ' ' || block[i] == 0)) {
            i++;
        }
        long stored = 0;
        int digits = 0;
        for (; i < 156 && block[i] >= '0' && block[i] <= '7'; i++, digits++) {
            stored = stored * 8 + (block[i] - '0');
        }
        for (; i < 156; i++) {
            if (block[i] != ' ' && block[i] != 0) {
                return false;
            }
        }
        if (digits == 0) {
            return false;
        }
        long unsigned = 0;
        long signed = 0;
        for (int k = 0; k < 512; k++) {
            byte b = k >= 148 && k < 156 ? (byte) ' ' : block[k];
            unsigned += b & 0xff;
            signed += b;
        }
        return stored == unsigned || stored == signed;
    }

    /** Counts the bytes the tar reader consumes. */
    private static final class Counter extends FilterInputStream {
        long count;

        Counter(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = in.skip(n);
            count += Math.max(k, 0);
            return k;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
