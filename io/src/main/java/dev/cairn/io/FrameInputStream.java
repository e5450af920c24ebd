package dev.cairn.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * Reads the body of one frame of a {@link FrameFormat} from an underlying stream that ends where the frame ends (a
 * file). The header was checked when it was opened ({@link FrameFormat#newInput}); {@link #read} returns body bytes
 * only, holding back the last four, and at the end of the body checks them as the footer: a failed checksum is a
 * {@link CorruptFrameException} from the read that would have returned -1. So a reader that reads to the end has
 * checked everything; one that stops early calls {@link #checkFooter()}. Not thread-safe.
 */
public final class FrameInputStream extends InputStream {

    private final FrameFormat format;
    private final InputStream in;
    private final String resource;
    private final CRC32C crc = new CRC32C();
    private final byte[] buf = new byte[1 << 13];
    private int pos;
    private int limit;
    private long bodyRead;
    private long headerLength;
    private boolean eof;
    private boolean checked;
    private int version;

    private FrameInputStream(FrameFormat format, InputStream in, String resource) {
        this.format = format;
        this.in = in;
        this.resource = resource;
    }

    static FrameInputStream open(FrameFormat format, InputStream in, String resource) throws IOException {
        FrameInputStream frame = new FrameInputStream(format, in, resource);
        Supplier<String> where = () -> resource;
        int version = format.readHeader(frame::header, where);
        frame.version = version;
        if (!format.accepts(version)) {
            // judge only once the checksum is known: sound and newer is "too new", anything else is damage
            frame.checkFooter();
            format.checkVersion(where, version);
        }
        return frame;
    }

    /** The frame's format version, one its format accepts. */
    public int version() {
        return version;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int ready = ready();
        if (ready == 0) {
            return -1;
        }
        int n = Math.min(len, ready);
        System.arraycopy(buf, pos, b, off, n);
        crc.update(buf, pos, n);
        pos += n;
        bodyRead += n;
        return n;
    }

    /**
     * How many body bytes can be returned now: everything buffered but the last four, which may be the footer.
     * Reads more while that is nothing and the stream has more. At the end of the stream, checks the footer once
     * and returns 0.
     */
    private int ready() throws IOException {
        while (!eof && limit - pos <= FrameFormat.FOOTER_LENGTH) {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
            }
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                eof = true;
            } else {
                limit += n;
            }
        }
        int ready = limit - pos - FrameFormat.FOOTER_LENGTH;
        if (eof && ready <= 0) {
            if (ready < 0) {
                throw FrameFormat.corrupt(() -> resource, "cut short inside its " + format.name() + " footer after "
                        + (headerLength + bodyRead + limit - pos) + " bytes (torn write?)");
            }
            if (!checked) {
                long stored = ByteBuffer.wrap(buf, pos, FrameFormat.FOOTER_LENGTH).getInt() & 0xFFFF_FFFFL;
                if (stored != crc.getValue()) {
                    throw format.checksumFailed(() -> resource, stored, crc.getValue(), headerLength + bodyRead);
                }
                checked = true;
            }
            return 0;
        }
        return ready;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Reads (and drops) whatever of the body is left and checks the footer. */
    public void checkFooter() throws IOException {
        byte[] skip = new byte[1 << 13];
        while (read(skip, 0, skip.length) >= 0) {
            // read on: the footer is checked at the end
        }
    }

    /** Reads exactly {@code n} header bytes, counting them into the checksum; null if the stream ends first. */
    private byte[] header(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            return null;
        }
        crc.update(b);
        headerLength += n;
        return b;
    }

    /** What {@link FrameFormat#readHeader} reads the header from. */
    @FunctionalInterface
    interface HeaderSource {
        byte[] readExactly(int n) throws IOException;
    }
}
