package dev.cairn.io;

import dev.cairn.model.FormatTooNewException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * One self-describing binary format of Cairn, and the frame around its bytes (after Lucene's {@code CodecUtil}): a
 * header naming the format and its version, the body, and a CRC-32C footer. Every file Cairn writes in binary and
 * every journal record is such a frame, so a reader always knows what it holds, whether it was written whole, and
 * whether a newer Cairn wrote it.
 *
 * <h2>Layout</h2>
 * All integers big-endian. Two kinds of header:
 * <pre>
 * named   (files)      magic C4 1B 7A 52 | name length N (1 byte) | name, N bytes of ASCII | version (4 bytes)
 * compact (records)    the format's own 4-byte magic               | version (1 byte)
 * then    body         as the format's version defines it
 * footer               CRC-32C (Castagnoli) of every byte before it (4 bytes); nothing follows it
 * </pre>
 * A compact header suits small records kept by the thousand inside a container (a journal record is one Chronicle
 * document): its magic alone says which format it is, where a file spells its name out.
 *
 * <p><b>What never changes.</b> No version of any format moves the header or the footer: versions change only the
 * body. So a reader can check the checksum of a frame of any version, including one newer than it knows, and tell
 * "written by a newer Cairn" from "damaged".
 *
 * <h2>Reading</h2>
 * Checks, in this order: the length (at least header and footer), the magic, the name (named frames), the checksum,
 * then the version:
 * <ul>
 *   <li>too short, another magic or name, a checksum that fails, or a version below {@link #oldestVersion()}:
 *   {@link CorruptFrameException}, e.g. {@code checksum failed (hardware problem?): stored CRC-32C 0x1a2b3c4d,
 *   computed 0x5e6f7a8b over 57 bytes};
 *   <li>a version above {@link #newestVersion()} whose checksum holds: {@link FormatTooNewException} — never
 *   "corrupt": such bytes must not be cut or rewritten by anyone who cannot read them.
 * </ul>
 * A failed checksum wins over everything after it: a flipped bit in the version byte is damage, not a new version.
 *
 * <h2>Writing</h2>
 * A format writes {@link #newestVersion()} only. Whole frames: {@link #begin(int)}, the body's bytes, {@link #seal};
 * or {@link #frame(byte[])}. Streams: {@link #newOutput}, which writes the footer only on
 * {@link FrameOutputStream#finish()}, so a writer that fails half way never leaves a frame that verifies.
 *
 * <p>Immutable and thread-safe.
 */
public final class FrameFormat {

    /** The first four bytes of every named frame. */
    public static final int FILE_MAGIC = 0xC41B7A52;
    /** The footer: a CRC-32C. */
    public static final int FOOTER_LENGTH = 4;
    private static final int MAX_NAME = 255;

    private final String name;
    private final byte[] nameBytes;
    private final int magic;
    private final boolean compact;
    private final int oldestVersion;
    private final int newestVersion;

    private FrameFormat(String name, int magic, boolean compact, int oldestVersion, int newestVersion) {
        this.name = Objects.requireNonNull(name, "name");
        this.nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        this.magic = magic;
        this.compact = compact;
        this.oldestVersion = oldestVersion;
        this.newestVersion = newestVersion;
        if (oldestVersion < 1 || newestVersion < oldestVersion || compact && newestVersion > 0xFF) {
            throw new IllegalArgumentException("versions " + oldestVersion + " to " + newestVersion + " of " + name
                    + " are not a range of 1 and up" + (compact ? " below 256" : ""));
        }
        if (!compact && (nameBytes.length == 0 || nameBytes.length > MAX_NAME
                || !StandardCharsets.US_ASCII.newEncoder().canEncode(name))) {
            throw new IllegalArgumentException("a format name is 1 to " + MAX_NAME + " ASCII characters: " + name);
        }
    }

    /**
     * A format for a whole file, with a named header. {@code name} (ASCII, e.g. {@code cairn-tar-record}) is written
     * into every frame; the reader accepts versions {@code oldestVersion} to {@code newestVersion} and this code writes
     * {@code newestVersion}.
     */
    public static FrameFormat named(String name, int oldestVersion, int newestVersion) {
        return new FrameFormat(name, FILE_MAGIC, false, oldestVersion, newestVersion);
    }

    /**
     * A format for small records, with a compact header: {@code magic} (its own four bytes; never
     * {@link #FILE_MAGIC}) and a one-byte version (at most 255). {@code name} is used in messages only.
     */
    public static FrameFormat compact(String name, int magic, int oldestVersion, int newestVersion) {
        if (magic == FILE_MAGIC) {
            throw new IllegalArgumentException("a compact format has its own magic, not the file magic");
        }
        return new FrameFormat(name, magic, true, oldestVersion, newestVersion);
    }

    /** The format's name, as messages (and named headers) give it. */
    public String name() {
        return name;
    }

    /** The oldest version a reader of this format accepts. */
    public int oldestVersion() {
        return oldestVersion;
    }

    /** The newest version a reader accepts, and the one this format writes. */
    public int newestVersion() {
        return newestVersion;
    }

    /** The length of the header this format writes. */
    public int headerLength() {
        return compact ? 5 : 4 + 1 + nameBytes.length + 4;
    }

    /** Header and footer together: the length of a frame with an empty body. */
    public int overhead() {
        return headerLength() + FOOTER_LENGTH;
    }

    // --- writing ---------------------------------------------------------------------------------------------

    /**
     * A buffer for one whole frame with a body of exactly {@code bodyLength} bytes: the header is written, the
     * position is at the body's start. Put the body, then {@link #seal} it.
     */
    public ByteBuffer begin(int bodyLength) {
        if (bodyLength < 0 || bodyLength > Integer.MAX_VALUE - overhead()) {
            throw new IllegalArgumentException("a " + name + " body of " + bodyLength + " bytes does not fit a frame");
        }
        ByteBuffer frame = ByteBuffer.allocate(overhead() + bodyLength);
        frame.put(header());
        return frame;
    }

    /**
     * Writes the footer of a frame from {@link #begin}, whose body must fill it up to the footer, and returns the
     * frame's bytes (the buffer's array).
     *
     * @throws IllegalStateException if the body is shorter or longer than {@link #begin} was told
     */
    public byte[] seal(ByteBuffer frame) {
        if (frame.position() != frame.capacity() - FOOTER_LENGTH) {
            throw new IllegalStateException("the " + name + " body ends at " + frame.position() + ", not at "
                    + (frame.capacity() - FOOTER_LENGTH) + " where its footer goes");
        }
        frame.putInt((int) crc(frame.array(), frame.capacity() - FOOTER_LENGTH));
        return frame.array();
    }

    /** A whole frame around {@code body}. */
    public byte[] frame(byte[] body) {
        return seal(begin(body.length).put(body));
    }

    /**
     * A stream that writes a frame to {@code out}: the header now, then what is written to it as the body, then the
     * footer on {@link FrameOutputStream#finish()}.
     */
    public FrameOutputStream newOutput(OutputStream out) throws IOException {
        return new FrameOutputStream(this, out);
    }

    byte[] header() {
        ByteBuffer h = ByteBuffer.allocate(headerLength()).putInt(magic);
        if (compact) {
            h.put((byte) newestVersion);
        } else {
            h.put((byte) nameBytes.length).put(nameBytes).putInt(newestVersion);
        }
        return h.array();
    }

    // --- reading ---------------------------------------------------------------------------------------------

    /**
     * Checks one whole frame (see "Reading" above) and returns its version and body.
     *
     * @param resource what the bytes are, for messages (a file, a journal position); computed only on failure
     * @throws CorruptFrameException  if the bytes are not a sound frame of this format
     * @throws FormatTooNewException  if they are a sound frame of a version newer than this reader knows
     */
    public Frame read(byte[] bytes, Supplier<String> resource) throws CorruptFrameException, FormatTooNewException {
        if (bytes.length < 4) {
            throw tooShort(resource, bytes.length);
        }
        int found = ByteBuffer.wrap(bytes).getInt();
        if (found != magic) {
            throw notThis(resource, found);
        }
        int headerLength = compact ? 5 : bytes.length < 5 ? Integer.MAX_VALUE : 4 + 1 + (bytes[4] & 0xFF) + 4;
        if (bytes.length - FOOTER_LENGTH < headerLength) {
            throw tooShort(resource, bytes.length);
        }
        if (!compact) {
            checkName(resource, new String(bytes, 5, bytes[4] & 0xFF, StandardCharsets.US_ASCII));
        }
        long stored = ByteBuffer.wrap(bytes, bytes.length - FOOTER_LENGTH, FOOTER_LENGTH).getInt() & 0xFFFF_FFFFL;
        long computed = crc(bytes, bytes.length - FOOTER_LENGTH);
        if (stored != computed) {
            throw checksumFailed(resource, stored, computed, bytes.length - FOOTER_LENGTH);
        }
        int version = compact ? bytes[4] & 0xFF : ByteBuffer.wrap(bytes, headerLength - 4, 4).getInt();
        checkVersion(resource, version);
        return new Frame(version, ByteBuffer.wrap(bytes, headerLength, bytes.length - headerLength - FOOTER_LENGTH)
                .slice().asReadOnlyBuffer());
    }

    /**
     * A stream over the body of the frame {@code in} holds, from its current position to its end. The header is read
     * and checked now; the checksum when the body has been read to its end (see {@link FrameInputStream}). A version
     * this reader does not accept is judged at once: the rest is read to check the checksum, so that a sound newer
     * frame is {@link FormatTooNewException} and a damaged one {@link CorruptFrameException}.
     *
     * @param resource what the stream is, for messages
     */
    public FrameInputStream newInput(InputStream in, String resource) throws IOException {
        return FrameInputStream.open(this, in, resource);
    }

    /** The header's magic, name (named frames) and version, read from {@code in}; the version is returned. */
    int readHeader(FrameInputStream.HeaderSource in, Supplier<String> resource) throws IOException {
        byte[] m = in.readExactly(4);
        if (m == null) {
            throw corrupt(resource, "cut short before its " + name + " header (torn write?)");
        }
        int found = ByteBuffer.wrap(m).getInt();
        if (found != magic) {
            throw notThis(resource, found);
        }
        if (compact) {
            byte[] v = in.readExactly(1);
            if (v == null) {
                throw corrupt(resource, "cut short inside its " + name + " header (torn write?)");
            }
            return v[0] & 0xFF;
        }
        byte[] n = in.readExactly(1);
        byte[] nm = n == null ? null : in.readExactly(n[0] & 0xFF);
        if (nm == null) {
            throw corrupt(resource, "cut short inside its " + name + " header (torn write?)");
        }
        checkName(resource, new String(nm, StandardCharsets.US_ASCII));
        byte[] v = in.readExactly(4);
        if (v == null) {
            throw corrupt(resource, "cut short inside its " + name + " header (torn write?)");
        }
        return ByteBuffer.wrap(v).getInt();
    }

    /** Whether this reader accepts {@code version}; a newer one is left to the caller, who checks the footer. */
    boolean accepts(int version) {
        return version >= oldestVersion && version <= newestVersion;
    }

    void checkVersion(Supplier<String> resource, int version) throws CorruptFrameException, FormatTooNewException {
        if (version > newestVersion) {
            throw FormatTooNewException.newerVersion(resource.get(), 0, name, version, newestVersion);
        }
        if (version < oldestVersion) {
            throw corrupt(resource, name + " format version " + version + ", which no Cairn writes; this one "
                    + "reads " + oldestVersion + " to " + newestVersion);
        }
    }

    private void checkName(Supplier<String> resource, String found) throws CorruptFrameException {
        if (!found.equals(name)) {
            throw corrupt(resource, "a " + printable(found) + ", not a " + name);
        }
    }

    private CorruptFrameException notThis(Supplier<String> resource, int found) {
        return corrupt(resource, String.format("not a %s: magic 0x%08x, expected 0x%08x", name, found, magic));
    }

    private CorruptFrameException tooShort(Supplier<String> resource, long length) {
        return corrupt(resource, "too short for a " + name + ": " + length + " bytes (torn write?)");
    }

    CorruptFrameException checksumFailed(Supplier<String> resource, long stored, long computed, long over) {
        return corrupt(resource, String.format("checksum failed (hardware problem?): stored CRC-32C 0x%08x, "
                + "computed 0x%08x over %d bytes", stored, computed, over));
    }

    static CorruptFrameException corrupt(Supplier<String> resource, String reason) {
        return new CorruptFrameException(resource.get(), reason);
    }

    static long crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return "'" + b + "'";
    }

    @Override
    public String toString() {
        return name + " (" + (compact ? "compact" : "named") + " frame, versions " + oldestVersion + " to "
                + newestVersion + ")";
    }

    /**
     * A frame that passed every check: the version it was written in and a read-only view of its body.
     *
     * @param version the format version, one this reader accepts
     * @param body    the body's bytes, positioned at their start
     */
    public record Frame(int version, ByteBuffer body) {
    }
}
