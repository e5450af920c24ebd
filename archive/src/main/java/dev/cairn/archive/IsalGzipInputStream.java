package dev.cairn.archive;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipException;

/**
 * A gzip stream (RFC 1952) inflated by Intel ISA-L's igzip ({@code libisal.so.2}) through JNA: the same bytes as
 * {@link java.util.zip.GZIPInputStream} gives, in about half the time of the JDK's zlib on real layers.
 *
 * <p>Members are read one after another, as {@code GZIPInputStream} reads them: each header is parsed here (magic,
 * method 8, the FEXTRA, FNAME, FCOMMENT fields skipped, the FHCRC checked; reserved flag bits ignored, as the JDK
 * does), its deflate data inflated by {@code isal_inflate} in {@code ISAL_GZIP_NO_HDR_VER} mode, which also checks the
 * trailer's CRC-32 and ISIZE (the length modulo 2<sup>32</sup>). After a member's trailer, input that does not start
 * with a whole, valid gzip header ends the stream and is left unread as far as the data goes: {@code GZIPInputStream}
 * ignores such trailing bytes too. Unlike it, a next member is always looked for while input remains (the JDK skips
 * one of 26 bytes or fewer when its source reports nothing {@code available()}, dropping a tiny last member).
 *
 * <p>Errors: a truncated header, deflate stream or trailer is an {@link EOFException}; a header that is not gzip,
 * corrupt deflate data or a trailer that does not match the data a {@link ZipException}, each naming the member.
 * Never returns data past a failed check silently: a corrupt member fails the read that reaches its end, and every
 * read after a failure fails too. A failure of the source itself propagates, also while the next member's header
 * is looked for (where {@code GZIPInputStream} takes it for the end of the stream).
 *
 * <p>Native memory: the {@code struct inflate_state} (87,368 bytes for ISA-L 2.30), a 256 KiB input and a 1 MiB
 * output buffer, freed by {@link #close()} (or by the JNA cleaner if never closed). Large buffers make the cost of
 * a JNA call (about a microsecond) vanish against a call's megabyte of output. Not thread-safe: one reader.
 */
final class IsalGzipInputStream extends InputStream {

    static final int IN_SIZE = 256 << 10;
    static final int OUT_SIZE = 1 << 20;

    /**
     * {@code sizeof(struct inflate_state)} and the offsets of the fields used, for ISA-L 2.30 on LP64 Linux (the
     * struct has no architecture-dependent members), as printed by a C program compiled against its
     * {@code <isa-l/igzip_lib.h>} with {@code offsetof}. The self-test in {@link Binding} checks them against
     * the library's behaviour when it is loaded.
     */
    static final int STATE_SIZE = 87_368;
    private static final int OFF_NEXT_OUT = 0;
    private static final int OFF_AVAIL_OUT = 8;
    private static final int OFF_NEXT_IN = 16;
    private static final int OFF_AVAIL_IN = 32;
    private static final int OFF_BLOCK_STATE = 21_160;
    private static final int OFF_CRC_FLAG = 21_172;
    private static final int OFF_CRC = 21_176;

    /** {@code enum isal_block_state}: decompression done and every byte flushed to the output. */
    private static final int ISAL_BLOCK_FINISH = 5;
    /** {@code crc_flag}: raw deflate, CRC-32 of the output kept, the gzip trailer after it read and checked. */
    private static final int ISAL_GZIP_NO_HDR_VER = 6;

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    /** Where the stream is: before a member's header, inside its deflate data, or past the last member. */
    private enum Phase { HEADER, BODY, END }

    private final InputStream source;
    private final byte[] window = new byte[IN_SIZE];
    private final Memory state = new Memory(STATE_SIZE);
    private final Memory in = new Memory(IN_SIZE);
    private final Memory out = new Memory(OUT_SIZE);
    private final long inAddress = Pointer.nativeValue(in);
    private final long outAddress = Pointer.nativeValue(out);
    private final CRC32 headerCrc = new CRC32();

    /** The unread input is {@code window[pos, limit)}, mirrored at {@code in[pos, limit)} for ISA-L. */
    private int pos;
    private int limit;
    private boolean sourceEnded;
    /** A read of the source threw: never mistaken for the end of the members. */
    private boolean sourceFailed;
    /** The stream ended or failed and its native memory is freed; a failure is kept for later reads. */
    private boolean released;
    private IOException failure;
    private int outPos;
    private int outLimit;
    private Phase phase = Phase.HEADER;
    /** 1-based number of the member being read, for messages. */
    private int member;
    private boolean closed;

    /**
     * Reads the first member's header now, as {@code GZIPInputStream}'s constructor does.
     *
     * @throws IllegalStateException if {@link Binding#available()} is false
     * @throws ZipException if the input is not gzip
     * @throws EOFException if it ends inside the first header
     */
    IsalGzipInputStream(InputStream source) throws IOException {
        this(source, Binding.requireAvailable());
    }

    /** {@code bound}: the library is bound (also while {@link Binding}'s self-test runs inside its initialization). */
    private IsalGzipInputStream(InputStream source, boolean bound) throws IOException {
        this.source = source;
        Igzip.isal_inflate_init(state);
        try {
            startMember(true);
        } catch (IOException | RuntimeException e) {
            release();
            throw e;
        }
    }

    @Override
    public int read() throws IOException {
        ensureOpen();
        if (outPos == outLimit && !fillOutput()) {
            return -1;
        }
        return out.getByte(outPos++) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) {
            return 0;
        }
        if (outPos == outLimit && !fillOutput()) {
            return -1;
        }
        int n = Math.min(len, outLimit - outPos);
        out.read(outPos, b, off, n);
        outPos += n;
        return n;
    }

    /** The inflated bytes ready without another call into ISA-L. */
    @Override
    public int available() throws IOException {
        ensureOpen();
        return outLimit - outPos;
    }

    /** Frees the native memory and closes the source. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        release();
        source.close();
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("the gzip stream is closed");
        }
    }

    /**
     * Inflates into the output buffer until it holds something; false at the end of the last member. At the end, or
     * on a failure (kept and thrown again by every later read), the native memory is freed at once rather than
     * when the stream is closed: the pump that reads a layer drains the source after the members and closes
     * nothing.
     */
    private boolean fillOutput() throws IOException {
        if (failure != null) {
            throw new IOException("the gzip stream failed earlier: " + failure.getMessage(), failure);
        }
        try {
            boolean more = inflateUntilOutput();
            if (!more) {
                release();
            }
            return more;
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
            release();
            throw e;
        }
    }

    private void release() {
        if (!released) {
            released = true;
            phase = Phase.END;
            state.close();
            in.close();
            out.close();
        }
    }

    private boolean inflateUntilOutput() throws IOException {
        while (true) {
            switch (phase) {
                case END -> {
                    return false;
                }
                case HEADER -> {
                    if (!startMember(false)) {
                        phase = Phase.END;
                    }
                }
                case BODY -> {
                    int n = inflate();
                    if (n > 0) {
                        outPos = 0;
                        outLimit = n;
                        return true;
                    }
                }
            }
        }
    }

    /**
     * One or more calls of {@code isal_inflate} until it writes output or finishes the member (trailer checked);
     * returns the bytes written to {@code out}, possibly 0 when the member finished.
     */
    private int inflate() throws IOException {
        while (true) {
            int availIn = limit - pos;
            state.setLong(OFF_NEXT_IN, inAddress + pos);
            state.setInt(OFF_AVAIL_IN, availIn);
            state.setLong(OFF_NEXT_OUT, outAddress);
            state.setInt(OFF_AVAIL_OUT, OUT_SIZE);
            int ret = Igzip.isal_inflate(state);
            int consumed = availIn - state.getInt(OFF_AVAIL_IN);
            pos += consumed;
            int produced = OUT_SIZE - state.getInt(OFF_AVAIL_OUT);
            if (ret < 0) {
                throw failure(ret);
            }
            if (state.getInt(OFF_BLOCK_STATE) == ISAL_BLOCK_FINISH) {
                phase = Phase.HEADER;
                return produced;
            }
            if (produced > 0) {
                return produced;
            }
            if (pos < limit) {
                if (consumed == 0) {
                    throw new ZipException("ISA-L made no progress in gzip member " + member + " (returned " + ret
                            + ")");
                }
                continue;
            }
            if (!refill()) {
                throw new EOFException("the input ends inside gzip member " + member
                        + " (its deflate data or its 8-byte trailer)");
            }
        }
    }

    private IOException failure(int ret) {
        String where = " in gzip member " + member;
        return switch (ret) {
            case -1 -> new ZipException("invalid deflate block" + where);
            case -2 -> new ZipException("invalid deflate code" + where);
            case -3 -> new ZipException("invalid back-reference distance" + where);
            case -6 -> new ZipException(trailerMismatch());
            default -> new ZipException("ISA-L isal_inflate returned " + ret + where);
        };
    }

    /**
     * The trailer ISA-L refused, named field by field when its 8 bytes (which end right before the next unread
     * byte) are still in the window.
     */
    private String trailerMismatch() {
        long computedCrc = state.getInt(OFF_CRC) & 0xffffffffL;
        if (pos < 8) {
            return "the trailer of gzip member " + member + " does not match its data (CRC-32 or length)";
        }
        long storedCrc = le32(pos - 8);
        long storedSize = le32(pos - 4);
        if (storedCrc != computedCrc) {
            return String.format(Locale.ROOT, "CRC-32 mismatch in gzip member %d: the trailer says %08x, the data's "
                    + "is %08x", member, storedCrc, computedCrc);
        }
        return String.format(Locale.ROOT, "length mismatch in gzip member %d: the trailer says %d bytes (mod 2^32), "
                + "the data is not that long", member, storedSize);
    }

    private long le32(int at) {
        return (window[at] & 0xffL) | (window[at + 1] & 0xffL) << 8 | (window[at + 2] & 0xffL) << 16
                | (window[at + 3] & 0xffL) << 24;
    }

    /**
     * Parses a member's header and readies ISA-L for its deflate data. For the first member every fault is an
     * error; after a member, any input that is not a whole valid header ends the stream (false), as in
     * {@code GZIPInputStream}.
     */
    private boolean startMember(boolean first) throws IOException {
        member++;
        try {
            readHeader();
        } catch (IOException e) {
            if (first || sourceFailed) {
                throw e;
            }
            return false;
        }
        Igzip.isal_inflate_reset(state);
        state.setInt(OFF_CRC_FLAG, ISAL_GZIP_NO_HDR_VER);
        phase = Phase.BODY;
        return true;
    }

    private void readHeader() throws IOException {
        headerCrc.reset();
        if (headerByte() != 0x1f || headerByte() != 0x8b) {
            throw new ZipException("not in gzip format (no 1f 8b magic at the start of member " + member + ")");
        }
        int method = headerByte();
        if (method != 8) {
            throw new ZipException("gzip member " + member + " uses compression method " + method
                    + ", not deflate (8)");
        }
        int flags = headerByte();
        for (int i = 0; i < 6; i++) {
            headerByte(); // MTIME, XFL, OS
        }
        if ((flags & FEXTRA) != 0) {
            int xlen = headerByte() | headerByte() << 8;
            for (int i = 0; i < xlen; i++) {
                headerByte();
            }
        }
        if ((flags & FNAME) != 0) {
            while (headerByte() != 0) {
                // the file name, up to its zero byte
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (headerByte() != 0) {
                // the comment, up to its zero byte
            }
        }
        if ((flags & FHCRC) != 0) {
            int expected = (int) (headerCrc.getValue() & 0xffff);
            int stored = headerByte() | headerByte() << 8;
            if (stored != expected) {
                throw new ZipException(String.format(Locale.ROOT, "header CRC mismatch in gzip member %d: stored "
                        + "%04x, computed %04x", member, stored, expected));
            }
        }
    }

    /** The next input byte of a header, counted into its CRC. */
    private int headerByte() throws IOException {
        if (pos == limit && !refill()) {
            throw new EOFException("the input ends inside the header of gzip member " + member);
        }
        int b = window[pos++] & 0xff;
        headerCrc.update(b);
        return b;
    }

    /** Replaces the consumed window with the source's next bytes; false at its end. */
    private boolean refill() throws IOException {
        if (sourceEnded) {
            return false;
        }
        int n;
        try {
            do {
                n = source.read(window, 0, IN_SIZE);
            } while (n == 0);
        } catch (IOException e) {
            sourceFailed = true;
            throw e;
        }
        if (n < 0) {
            sourceEnded = true;
            return false;
        }
        in.write(0, window, 0, n);
        pos = 0;
        limit = n;
        return true;
    }

    /** The three igzip functions used, bound by JNA's direct mapping (no proxy, no reflection per call). */
    private static final class Igzip {
        private Igzip() {
        }

        static native void isal_inflate_init(Pointer state);

        static native void isal_inflate_reset(Pointer state);

        static native int isal_inflate(Pointer state);
    }

    /**
     * Whether ISA-L could be bound, decided once per process: Linux, 64-bit, {@code libisal.so.2} loadable (Debian
     * and Ubuntu: package {@code libisal2}), and a self-test member inflated to the right bytes, which checks the
     * struct offsets above against the library in use.
     */
    static final class Binding {
        /** The soname whose {@code struct inflate_state} the offsets describe. */
        static final String LIBRARY = "libisal.so.2";
        /** The one release whose {@code struct inflate_state} the constants above describe (Debian's libisal2). */
        static final String KNOWN_FILE = "libisal.so.2.0.30";

        private static final String UNAVAILABLE = bind();

        private Binding() {
        }

        static boolean available() {
            return UNAVAILABLE == null;
        }

        static boolean requireAvailable() {
            if (UNAVAILABLE != null) {
                throw new IllegalStateException("ISA-L is not available: " + UNAVAILABLE);
            }
            return true;
        }

        /** Why ISA-L is not used, or null when it is. */
        static String unavailableReason() {
            return UNAVAILABLE;
        }

        private static String bind() {
            if (!Platform.isLinux() || Native.POINTER_SIZE != 8) {
                return "ISA-L's struct offsets are known for 64-bit Linux only, not " + System.getProperty("os.name")
                        + " " + System.getProperty("os.arch");
            }
            String missing = loadable(LIBRARY);
            if (missing != null) {
                return missing;
            }
            String file = mappedFile();
            if (!KNOWN_FILE.equals(file)) {
                // The struct is allocated at 2.30's size: a release with a larger one would write past it.
                return "ISA-L's struct layout is known for " + KNOWN_FILE + " only, and " + LIBRARY + " is "
                        + (file == null ? "not found among the process's mapped files" : file);
            }
            try {
                Native.register(Igzip.class, NativeLibrary.getInstance(LIBRARY));
            } catch (UnsatisfiedLinkError | IllegalArgumentException e) {
                return LIBRARY + " lacks the igzip functions: " + e.getMessage();
            }
            return selfTest();
        }

        /**
         * The name of the file {@link #LIBRARY} was mapped from once loaded (the symbolic link resolved, e.g.
         * {@code libisal.so.2.0.30}), from the process's memory map; null if none is found.
         */
        private static String mappedFile() {
            try (java.util.stream.Stream<String> maps = java.nio.file.Files.lines(java.nio.file.Path.of(
                    "/proc/self/maps"))) {
                return maps.map(line -> line.substring(line.lastIndexOf(' ') + 1))
                        .filter(path -> path.contains("/libisal.so"))
                        .map(path -> java.nio.file.Path.of(path).getFileName().toString())
                        .findFirst().orElse(null);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** Null if {@code library} can be opened, else why not. */
        static String loadable(String library) {
            try {
                NativeLibrary.getInstance(library);
                return null;
            } catch (UnsatisfiedLinkError e) {
                return library + " cannot be loaded (" + firstLine(e.getMessage()) + ")";
            }
        }

        private static String firstLine(String s) {
            if (s == null) {
                return "no reason given";
            }
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        }

        /** Inflates a two-member stream holding "cairn\n" twice; null if the bytes come out right. */
        private static String selfTest() {
            byte[] member = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x4b, 0x4e, (byte) 0xcc, 0x2c, (byte) 0xca,
                (byte) 0xe3, 2, 0, 0x2a, 0x29, 0, (byte) 0x91, 6, 0, 0, 0};
            byte[] twice = new byte[2 * member.length];
            System.arraycopy(member, 0, twice, 0, member.length);
            System.arraycopy(member, 0, twice, member.length, member.length);
            try (IsalGzipInputStream s = new IsalGzipInputStream(new java.io.ByteArrayInputStream(twice), true)) {
                String text = new String(s.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
                return text.equals("cairn\ncairn\n") ? null
                        : LIBRARY + " failed the self-test (a different struct inflate_state than ISA-L 2.30's?)";
            } catch (IOException | RuntimeException e) {
                return LIBRARY + " failed the self-test (a different struct inflate_state than ISA-L 2.30's?): " + e;
            }
        }
    }
}
