package dev.cairn.archive;

import dev.cairn.model.CorruptArchiveException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cairn's streaming tar reader: V7, ustar, star, GNU and PAX headers; base-256 numbers; GNU long names and long link
 * names ({@code L}, {@code K}); PAX local ({@code x}, {@code X}) and global ({@code g}) records; old GNU sparse
 * ({@code S}, with extension blocks) and PAX sparse 0.0, 0.1 and 1.0.
 *
 * <p>Every byte of the stream that is not file content is handed to the {@link RawSink} in stream order: header
 * blocks, PAX and long-name data blocks, sparse extension blocks and PAX 1.0 sparse maps, the padding after each
 * entry's data, data a caller left unread, the end-of-archive blocks and whatever follows them. File content (for a
 * sparse entry: its data segments, concatenated as stored) is read by the caller through {@link #read}. So the raw
 * sink's bytes interleaved with the content reproduce the stream exactly, which is what the layer's
 * {@link TarRecord} keeps.
 *
 * <p>Where a header is ambiguous this reader does what GNU tar does: the first all-zero block ends the archive (the
 * rest is trailer), a stream ending at a block boundary without end-of-archive blocks is complete (so is one that ends
 * right after an entry's data, before its padding, as Go's archive/tar reads it), names end at
 * their first NUL, global PAX records apply to every later entry and a local record with an empty value removes one.
 * A bad header checksum, an unparsable size or PAX record, a header or data cut short by the end of the stream and a
 * PAX or long-name block over the limit are errors. So is a PAX {@code path}, {@code linkpath}, {@code uname} or
 * {@code gname} value holding a NUL byte: GNU tar cuts the value there and Go's archive/tar (so containers/storage)
 * refuses it, and a name two readers read differently could hide a file from a scanner. Single-threaded.
 */
final class TarReader {

    static final int BLOCK = 512;

    /** Receives every byte of the stream that is not file content, in order. */
    interface RawSink {
        void raw(byte[] bytes, int off, int len) throws IOException;
    }

    /** A metadata header over {@link ExtractOptions#maxPaxHeaderBytes()}. */
    static final class HeaderTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        HeaderTooLarge(String message) {
            super(message);
        }
    }

    /** One entry as the archive describes it, all extensions applied. */
    static final class Entry {
        byte typeflag;
        /** The name's bytes, up to the first NUL. */
        byte[] name;
        /** The link target's bytes, up to the first NUL; empty if none. */
        byte[] link;
        int mode;
        long uid;
        long gid;
        String uname = "";
        String gname = "";
        Instant mtime = Instant.EPOCH;
        Instant atime;
        int devMajor;
        int devMinor;
        /** SCHILY.xattr.* records, name to value bytes, in archive order. */
        final Map<String, byte[]> xattrs = new LinkedHashMap<>();
        /** Content bytes stored in the archive for this entry (for a sparse entry: the data segments). */
        long dataSize;
        /** For a sparse entry: the file's full length; else equal to {@link #dataSize}. */
        long realSize;
        /** For a sparse entry: offset and length pairs of its data segments, in file order; else null. */
        long[] sparse;

        boolean isSparse() {
            return sparse != null;
        }
    }

    private final InputStream in;
    private final RawSink sink;
    private final long maxHeaderBytes;
    private final byte[] block = new byte[BLOCK];
    private final Map<String, byte[]> globals = new LinkedHashMap<>();
    private long position;
    private long contentLeft;
    private long paddingLeft;
    private boolean ended;

    TarReader(InputStream in, RawSink sink, long maxHeaderBytes) {
        this.in = in;
        this.sink = sink;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    /** Bytes of the tar stream consumed so far. */
    long position() {
        return position;
    }

    /**
     * The next entry, or null at the end of the archive, after which everything left in the stream has gone to the
     * sink. Content the caller left unread goes to the sink too.
     */
    Entry next() throws IOException {
        if (ended) {
            return null;
        }
        finishEntry();
        if (ended) {
            return null;
        }
        Map<String, byte[]> pax = new LinkedHashMap<>();
        byte[] longName = null;
        byte[] longLink = null;
        List<byte[]> paxSparse = new ArrayList<>();
        while (true) {
            long at = position;
            int got = readBlock();
            if (got == 0) {
                ended = true; // GNU tar too ends quietly after an extended header without its entry
                return null;
            }
            if (got < BLOCK) {
                throw new EOFException("the stream ends inside a header block (" + got + " of 512 bytes, at byte "
                        + at + ")");
            }
            if (isZero(block)) {
                sink.raw(block, 0, BLOCK);
                drainTrailer();
                ended = true;
                return null;
            }
            if (!checksumOk(block)) {
                throw new CorruptArchiveException("header block at byte " + at + " has a bad checksum");
            }
            sink.raw(block, 0, BLOCK);
            byte flag = block[156];
            if (flag == 'x' || flag == 'X' || flag == 'g' || flag == 'L' || flag == 'K') {
                long size = parseSize(block, at);
                if (size > maxHeaderBytes) {
                    throw new HeaderTooLarge("a " + (flag == 'L' || flag == 'K' ? "GNU long-name" : "PAX")
                            + " header of " + size + " bytes is larger than the limit of " + maxHeaderBytes
                            + " bytes (maxPaxHeaderBytes)");
                }
                byte[] data = readMeta((int) size);
                switch (flag) {
                    case 'L' -> longName = upToNul(data, 0, data.length);
                    case 'K' -> longLink = upToNul(data, 0, data.length);
                    case 'g' -> parsePax(data, globals, null, at);
                    default -> parsePax(data, pax, paxSparse, at);
                }
                continue;
            }
            return entry(at, pax, paxSparse, longName, longLink);
        }
    }

    /**
     * Reads the current entry's content (for a sparse entry its data segments, concatenated); -1 at its end.
     */
    int read(byte[] b, int off, int len) throws IOException {
        if (contentLeft == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, contentLeft));
        if (n < 0) {
            throw new EOFException("the stream ends inside an entry's content (" + contentLeft
                    + " bytes missing)");
        }
        contentLeft -= n;
        position += n;
        return n;
    }

    /** Content bytes of the current entry not read yet. */
    long contentLeft() {
        return contentLeft;
    }

    private Entry entry(long at, Map<String, byte[]> pax, List<byte[]> paxSparse, byte[] longName, byte[] longLink)
            throws IOException {
        byte[] h = block.clone();
        Entry e = new Entry();
        e.typeflag = h[156];
        boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
        boolean gnu = ustar && h[262] == ' ' && h[263] == ' ';
        boolean posix = ustar && h[262] == 0;
        boolean star = posix && h[508] == 't' && h[509] == 'a' && h[510] == 'r' && h[511] == 0;
        byte[] name = upToNul(h, 0, 100);
        if (posix) {
            byte[] prefix = upToNul(h, 345, star ? 131 : 155);
            if (prefix.length > 0) {
                byte[] joined = Arrays.copyOf(prefix, prefix.length + 1 + name.length);
                joined[prefix.length] = '/';
                System.arraycopy(name, 0, joined, prefix.length + 1, name.length);
                name = joined;
            }
        }
        e.name = longName != null ? longName : name;
        e.link = longLink != null ? longLink : upToNul(h, 157, 100);
        e.mode = (int) (lenient(h, 100, 8) & 07777);
        e.uid = lenient(h, 108, 8);
        e.gid = lenient(h, 116, 8);
        long size = parseSize(h, at);
        e.mtime = Instant.ofEpochSecond(lenient(h, 136, 12));
        if (ustar) {
            e.uname = text(upToNul(h, 265, 32));
            e.gname = text(upToNul(h, 297, 32));
            e.devMajor = (int) lenient(h, 329, 8);
            e.devMinor = (int) lenient(h, 337, 8);
        }
        if (gnu) {
            long atime = lenient(h, 345, 12);
            if (atime != 0) {
                e.atime = Instant.ofEpochSecond(atime);
            }
        }
        Map<String, byte[]> records = new LinkedHashMap<>(globals);
        records.putAll(pax);
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            if (r.getValue().length == 0 && pax.containsKey(r.getKey())) {
                continue; // an empty local record removes the value
            }
            String v = text(r.getValue());
            switch (r.getKey()) {
                case "path" -> e.name = upToNul(r.getValue(), 0, r.getValue().length);
                case "linkpath" -> e.link = upToNul(r.getValue(), 0, r.getValue().length);
                case "size" -> size = paxNumber(v, "size", at);
                case "uid" -> e.uid = paxNumber(v, "uid", at);
                case "gid" -> e.gid = paxNumber(v, "gid", at);
                case "uname" -> e.uname = v;
                case "gname" -> e.gname = v;
                case "mtime" -> e.mtime = paxTime(v, e.mtime);
                case "atime" -> e.atime = paxTime(v, e.atime);
                case "SCHILY.devmajor" -> e.devMajor = (int) paxNumber(v, "devmajor", at);
                case "SCHILY.devminor" -> e.devMinor = (int) paxNumber(v, "devminor", at);
                default -> {
                    if (r.getKey().startsWith("SCHILY.xattr.")) {
                        e.xattrs.put(r.getKey().substring("SCHILY.xattr.".length()), r.getValue());
                    }
                }
            }
        }
        if (size < 0) {
            throw new CorruptArchiveException("header block at byte " + at + " has a negative size");
        }
        if (e.typeflag == '1' || e.typeflag == '5') {
            size = 0; // GNU tar reads no data after a hardlink or directory header, whatever its size says
        }
        e.dataSize = size;
        e.realSize = size;
        if (e.typeflag == 'S' && gnu) {
            oldGnuSparse(e, h, at);
        } else if (pax.containsKey("GNU.sparse.major") || pax.containsKey("GNU.sparse.map")
                || !paxSparse.isEmpty() || pax.containsKey("GNU.sparse.size")
                || pax.containsKey("GNU.sparse.realsize")) {
            paxSparse(e, pax, paxSparse, at);
        }
        contentLeft = e.dataSize;
        // a PAX 1.0 sparse map fills whole blocks, so the padding follows the data segments alone
        paddingLeft = (BLOCK - (e.dataSize % BLOCK)) % BLOCK;
        return e;
    }

    private void oldGnuSparse(Entry e, byte[] h, long at) throws IOException {
        List<long[]> segs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            addSegment(segs, h, 386 + i * 24, at);
        }
        boolean extended = h[482] != 0;
        e.realSize = numeric(h, 483, 12, at, "realsize");
        while (extended) {
            long ext = position;
            int got = readBlock();
            if (got < BLOCK) {
                throw new EOFException("the stream ends inside a sparse extension block at byte " + ext);
            }
            sink.raw(block, 0, BLOCK);
            for (int i = 0; i < 21; i++) {
                addSegment(segs, block, i * 24, ext);
            }
            extended = block[504] != 0;
        }
        e.sparse = flatten(segs);
        checkSparse(e, at);
    }

    private void addSegment(List<long[]> segs, byte[] b, int off, long at) throws IOException {
        if (b[off] == 0 && b[off + 12] == 0) {
            return;
        }
        segs.add(new long[] {numeric(b, off, 12, at, "sparse offset"), numeric(b, off + 12, 12, at, "sparse size")});
    }

    private void paxSparse(Entry e, Map<String, byte[]> pax, List<byte[]> pairs, long at) throws IOException {
        String major = text(pax.get("GNU.sparse.major"));
        String real = pax.containsKey("GNU.sparse.realsize") ? text(pax.get("GNU.sparse.realsize"))
                : text(pax.get("GNU.sparse.size"));
        if (real.isEmpty()) {
            throw new CorruptArchiveException("header at byte " + at + ": PAX sparse entry without its real size");
        }
        e.realSize = paxNumber(real, "GNU.sparse.realsize", at);
        if (pax.containsKey("GNU.sparse.name")) {
            byte[] n = pax.get("GNU.sparse.name");
            e.name = upToNul(n, 0, n.length);
        }
        List<long[]> segs = new ArrayList<>();
        if ("1".equals(major)) {
            long consumed = readSparseMap(segs, at);
            if (consumed > e.dataSize) {
                throw new CorruptArchiveException("header at byte " + at + ": PAX 1.0 sparse map is larger than"
                        + " the entry");
            }
            e.dataSize -= consumed;
        } else if (pax.containsKey("GNU.sparse.map")) {
            String map = text(pax.get("GNU.sparse.map"));
            String[] parts = map.isEmpty() ? new String[0] : map.split(",", -1);
            if (parts.length % 2 != 0) {
                throw new CorruptArchiveException("header at byte " + at + ": odd GNU.sparse.map");
            }
            for (int i = 0; i < parts.length; i += 2) {
                segs.add(new long[] {paxNumber(parts[i], "sparse offset", at),
                        paxNumber(parts[i + 1], "sparse size", at)});
            }
        } else {
            if (pairs.size() % 2 != 0) {
                throw new CorruptArchiveException("header at byte " + at + ": unpaired GNU.sparse.offset");
            }
            for (int i = 0; i < pairs.size(); i += 2) {
                segs.add(new long[] {paxNumber(text(pairs.get(i)), "sparse offset", at),
                        paxNumber(text(pairs.get(i + 1)), "sparse size", at)});
            }
        }
        e.sparse = flatten(segs);
        checkSparse(e, at);
    }

    /** Reads a PAX 1.0 sparse map from the start of the data (whole blocks, sent to the sink); returns its bytes. */
    private long readSparseMap(List<long[]> segs, long at) throws IOException {
        StringBuilder text = new StringBuilder();
        long consumed = 0;
        long count = -1;
        List<Long> numbers = new ArrayList<>();
        while (count < 0 || numbers.size() < 2 * count) {
            int got = readBlock();
            if (got < BLOCK) {
                throw new EOFException("the stream ends inside a PAX 1.0 sparse map (entry at byte " + at + ")");
            }
            sink.raw(block, 0, BLOCK);
            consumed += BLOCK;
            if (consumed > maxHeaderBytes) {
                throw new HeaderTooLarge("a PAX 1.0 sparse map over " + maxHeaderBytes
                        + " bytes (maxPaxHeaderBytes)");
            }
            for (int i = 0; i < BLOCK; i++) {
                char c = (char) (block[i] & 0xff);
                if (c == '\n') {
                    long v = paxNumber(text.toString(), "sparse map", at);
                    text.setLength(0);
                    if (count < 0) {
                        count = v;
                    } else if (numbers.size() < 2 * count) {
                        numbers.add(v);
                    }
                } else if (count < 0 || numbers.size() < 2 * count) {
                    text.append(c);
                }
            }
        }
        for (int i = 0; i < numbers.size(); i += 2) {
            segs.add(new long[] {numbers.get(i), numbers.get(i + 1)});
        }
        return consumed;
    }

    private static long[] flatten(List<long[]> segs) {
        long[] out = new long[segs.size() * 2];
        for (int i = 0; i < segs.size(); i++) {
            out[2 * i] = segs.get(i)[0];
            out[2 * i + 1] = segs.get(i)[1];
        }
        return out;
    }

    private static void checkSparse(Entry e, long at) throws CorruptArchiveException {
        long end = 0;
        long sum = 0;
        for (int i = 0; i < e.sparse.length; i += 2) {
            long off = e.sparse[i];
            long len = e.sparse[i + 1];
            if (off < end || len < 0 || off + len < off || off + len > e.realSize) {
                throw new CorruptArchiveException("header at byte " + at + ": invalid sparse map (segment " + off
                        + "+" + len + " of a " + e.realSize + "-byte file)");
            }
            end = off + len;
            sum += len;
        }
        if (e.realSize < 0 || sum != e.dataSize) {
            throw new CorruptArchiveException("header at byte " + at + ": sparse map holds " + sum
                    + " bytes but the entry stores " + e.dataSize);
        }
    }

    /**
     * Sends unread content and the padding after it to the sink. A stream that ends right after an entry's data,
     * before any of its padding, ends the archive: Go's archive/tar reads it so (its {@code tryReadFull} meets the end
     * before the padding's first byte), so containers/storage, umoci and Docker take it, and umoci 0.4 writes layers
     * that end so. A stream that ends inside the padding is cut short, as for every reader.
     */
    private void finishEntry() throws IOException {
        byte[] buf = new byte[8192];
        while (contentLeft > 0) {
            int n = read(buf, 0, buf.length);
            sink.raw(buf, 0, n);
        }
        boolean padded = false;
        while (paddingLeft > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, paddingLeft));
            if (n < 0 && !padded) {
                paddingLeft = 0;
                ended = true;
                return;
            }
            if (n < 0) {
                throw new EOFException("the stream ends inside the padding after an entry");
            }
            padded |= n > 0;
            sink.raw(buf, 0, n);
            paddingLeft -= n;
            position += n;
        }
    }

    private void drainTrailer() throws IOException {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) >= 0) {
            sink.raw(buf, 0, n);
            position += n;
        }
    }

    private byte[] readMeta(int size) throws IOException {
        byte[] data = new byte[size];
        int got = in.readNBytes(data, 0, size);
        position += got;
        if (got < size) {
            throw new EOFException("the stream ends inside an extended header");
        }
        sink.raw(data, 0, size);
        paddingLeft = (BLOCK - (size % BLOCK)) % BLOCK;
        byte[] pad = new byte[(int) paddingLeft];
        int p = in.readNBytes(pad, 0, pad.length);
        position += p;
        if (p < pad.length) {
            throw new EOFException("the stream ends inside the padding of an extended header");
        }
        sink.raw(pad, 0, p);
        paddingLeft = 0;
        return data;
    }

    private int readBlock() throws IOException {
        int got = in.readNBytes(block, 0, BLOCK);
        position += got;
        return got;
    }

    /** Parses PAX records into {@code into}; repeated GNU.sparse.offset/numbytes (format 0.0) go to {@code pairs}. */
    /**
     * PAX records whose value may hold no NUL byte: the ones Go's archive/tar refuses then ({@code validPAXRecord}),
     * where GNU tar would cut the value at the NUL and so read another name than Go.
     */
    private static final java.util.Set<String> NUL_REFUSED = java.util.Set.of("path", "linkpath", "uname", "gname");

    private static int indexOfNul(byte[] value) {
        for (int i = 0; i < value.length; i++) {
            if (value[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static void parsePax(byte[] data, Map<String, byte[]> into, List<byte[]> pairs, long at)
            throws CorruptArchiveException {
        int i = 0;
        while (i < data.length) {
            int sp = i;
            while (sp < data.length && data[sp] >= '0' && data[sp] <= '9') {
                sp++;
            }
            if (sp == i || sp >= data.length || data[sp] != ' ' || sp - i > 9) {
                if (allNul(data, i)) {
                    return;
                }
                throw new CorruptArchiveException("PAX header at byte " + at + " has a malformed record length");
            }
            int len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
            int end = i + len;
            if (len <= sp - i + 1 || end > data.length || data[end - 1] != '\n') {
                throw new CorruptArchiveException("PAX header at byte " + at + " has a malformed record");
            }
            int eq = sp + 1;
            while (eq < end - 1 && data[eq] != '=') {
                eq++;
            }
            if (eq >= end - 1 || eq == sp + 1) {
                throw new CorruptArchiveException("PAX header at byte " + at + " has a record without a key");
            }
            for (int k = sp + 1; k < eq; k++) {
                if (data[k] == 0) {
                    throw new CorruptArchiveException("PAX header at byte " + at + " has a key with a NUL byte");
                }
            }
            String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            byte[] value = Arrays.copyOfRange(data, eq + 1, end - 1);
            if (NUL_REFUSED.contains(key) && indexOfNul(value) >= 0) {
                throw new CorruptArchiveException("PAX header at byte " + at + ": its " + key + " record holds a "
                        + "NUL byte at offset " + indexOfNul(value) + " (GNU tar would cut the value there, Go's "
                        + "archive/tar refuses it: a value two tar readers read differently is refused)");
            }
            if (pairs != null && (key.equals("GNU.sparse.offset") || key.equals("GNU.sparse.numbytes"))) {
                pairs.add(value);
            } else {
                into.put(key, value);
            }
            i = end;
        }
    }

    private static boolean allNul(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private long parseSize(byte[] h, long at) throws IOException {
        return numeric(h, 124, 12, at, "size");
    }

    /** A numeric field: base-256 if its first byte has the high bit, else octal padded with spaces and NULs. */
    static long numeric(byte[] b, int off, int len, long at, String what) throws CorruptArchiveException {
        if ((b[off] & 0x80) != 0) {
            long v = b[off] & 0x7f;
            boolean negative = (b[off] & 0x40) != 0;
            if (negative) {
                v = b[off] | ~0x7fL; // sign-extend
            }
            for (int i = 1; i < len; i++) {
                if (!negative && (v >>> 55) != 0) {
                    throw new CorruptArchiveException("header at byte " + at + ": the " + what
                            + " field overflows");
                }
                v = (v << 8) | (b[off + i] & 0xff);
            }
            return v;
        }
        int s = off;
        int e = off + len;
        while (s < e && (b[s] == ' ' || b[s] == 0)) {
            s++;
        }
        while (e > s && (b[e - 1] == ' ' || b[e - 1] == 0)) {
            e--;
        }
        long v = 0;
        for (int i = s; i < e; i++) {
            if (b[i] < '0' || b[i] > '7' || (v >>> 60) != 0) {
                throw new CorruptArchiveException("header at byte " + at + ": the " + what + " field '"
                        + new String(b, off, len, StandardCharsets.ISO_8859_1).replace('\0', ' ').trim()
                        + "' is not a number");
            }
            v = v * 8 + (b[i] - '0');
        }
        return v;
    }

    /** A numeric field where GNU tar tolerates garbage (owner, mode, time, device): 0 if unparsable. */
    private static long lenient(byte[] b, int off, int len) {
        try {
            return numeric(b, off, len, 0, "");
        } catch (CorruptArchiveException e) {
            return 0;
        }
    }

    private static long paxNumber(String v, String what, long at) throws CorruptArchiveException {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new CorruptArchiveException("PAX header at byte " + at + ": " + what + " '" + v
                    + "' is not a number");
        }
    }

    /** A PAX time ({@code SECONDS[.FRACTION]}); an unparsable one is ignored as GNU tar does. */
    private static Instant paxTime(String v, Instant fallback) {
        try {
            String s = v.trim();
            int dot = s.indexOf('.');
            if (dot < 0) {
                return Instant.ofEpochSecond(Long.parseLong(s));
            }
            long secs = Long.parseLong(s.substring(0, dot).isEmpty() || s.substring(0, dot).equals("-") ? s
                    .substring(0, dot) + "0" : s.substring(0, dot));
            String frac = (s.substring(dot + 1) + "000000000").substring(0, 9);
            if (!frac.chars().allMatch(Character::isDigit)) {
                return fallback;
            }
            long nanos = Long.parseLong(frac);
            return s.startsWith("-") ? Instant.ofEpochSecond(secs, -nanos) : Instant.ofEpochSecond(secs, nanos);
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return fallback;
        }
    }

    static byte[] upToNul(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return Arrays.copyOfRange(b, off, end);
    }

    private static String text(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }

    static boolean isZero(byte[] b) {
        for (int i = 0; i < BLOCK; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a header's checksum field (octal at bytes 148-155) equals the sum of its bytes with that field taken as
     * spaces, summed unsigned (POSIX) or signed (some old tars).
     */
    static boolean checksumOk(byte[] b) {
        long stored;
        try {
            stored = numeric(b, 148, 8, 0, "checksum");
        } catch (CorruptArchiveException e) {
            return false;
        }
        long unsigned = 0;
        long signed = 0;
        for (int k = 0; k < BLOCK; k++) {
            byte x = k >= 148 && k < 156 ? (byte) ' ' : b[k];
            unsigned += x & 0xff;
            signed += x;
        }
        return stored == unsigned || stored == signed;
    }
}
