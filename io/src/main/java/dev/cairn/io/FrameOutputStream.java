package dev.cairn.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Writes one frame of a {@link FrameFormat} to an underlying stream: the header when it is made, what is written to
 * it as the body, and the footer on {@link #finish()}. Until {@code finish} the bytes written are not a frame that
 * any reader accepts, so a writer that fails half way (and closes this stream on its way out) never leaves something
 * that verifies. Not thread-safe.
 */
public final class FrameOutputStream extends OutputStream {

    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private long length;
    private boolean finished;

    FrameOutputStream(FrameFormat format, OutputStream out) throws IOException {
        this.out = out;
        write(format.header());
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        out.write(b);
        crc.update(b);
        length++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        out.write(b, off, len);
        crc.update(b, off, len);
        length += len;
    }

    /** The frame's length so far: header and body (and footer once finished). */
    public long length() {
        return length;
    }

    /**
     * Writes the footer, the CRC-32C of everything before it, and flushes; the frame is then complete. The
     * underlying stream stays open. Writing after this fails.
     */
    public void finish() throws IOException {
        ensureOpen();
        out.write(ByteBuffer.allocate(FrameFormat.FOOTER_LENGTH).putInt((int) crc.getValue()).array());
        length += FrameFormat.FOOTER_LENGTH;
        finished = true;
        out.flush();
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Closes the underlying stream. Without {@link #finish()} first, what was written is no frame. */
    @Override
    public void close() throws IOException {
        out.close();
    }

    private void ensureOpen() {
        if (finished) {
            throw new IllegalStateException("the frame is finished: nothing may follow its footer");
        }
    }
}
