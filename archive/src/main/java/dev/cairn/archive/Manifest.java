package dev.cairn.archive;

import dev.cairn.model.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The record of every entry of a layer's tar, in tar order, written by {@link LayerExtractor#extract} and read back
 * by {@link #read(Path)}. Immutable and thread-safe.
 *
 * <h2>Format, version 1</h2>
 * A text file of ASCII lines ending in {@code \n}:
 * <pre>
 * cairn-layer-manifest\t1
 * TYPE\tTYPEFLAG\tPATH\tMODE\tUID\tGID\tUNAME\tGNAME\tMTIME\tSIZE\tLINK\tDEVMAJOR\tDEVMINOR\tXATTRS\tSHA256
 * ...one line per entry...
 * end\tCOUNT\tsha256:HEX
 * </pre>
 * <ul>
 * <li>TYPE is the {@link EntryType#code() code} of the entry's type; TYPEFLAG the tar header's type byte.</li>
 * <li>PATH is the entry's name made relative to the layer root ({@code .} for the root itself) as
 *     {@link LayerExtractor} wrote it; LINK is a symlink's target as the archive gave it or a hardlink's target
 *     made relative like PATH.</li>
 * <li>Every text field is escaped byte-wise: bytes {@code <= 0x20}, {@code >= 0x7f} and {@code % , =} are written
 *     {@code %HH}, so any byte sequence round-trips and no field contains a tab or newline.</li>
 * <li>MODE is octal including setuid/setgid/sticky; MTIME is {@code SECONDS.NANOS} since the epoch (seconds may be
 *     negative, nanos are 9 digits); XATTRS is {@code name=value} pairs joined by {@code ,}, sorted by name, both
 *     escaped; SHA256 is {@code sha256:HEX} of a regular file's content, empty for other types.</li>
 * <li>The last line holds the entry count and the sha256 of every byte before it.</li>
 * </ul>
 */
public final class Manifest {

    /** First line of every manifest, before the version. */
    public static final String FORMAT_NAME = "cairn-layer-manifest";

    /** The version this code writes and the newest it reads. */
    public static final int VERSION = 1;

    /**
     * The {@link Entry#typeflag()} recorded for a sparse file of any format (old GNU {@code S} or PAX 0.0, 0.1, 1.0).
     */
    public static final int SPARSE_TYPEFLAG = 'S';

    private static final int COLUMNS = 15;
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final List<Entry> entries;

    private Manifest(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The entries in tar order; a path may appear more than once (the later entry won on extraction). */
    public List<Entry> entries() {
        return entries;
    }

    /** What a tar entry is. Devices, fifos and {@link #OTHER} types are recorded but not created on disk yet. */
    public enum EntryType {
        FILE('f'), DIRECTORY('d'), SYMLINK('l'), HARDLINK('h'), CHAR_DEVICE('c'), BLOCK_DEVICE('b'), FIFO('p'),
        /** A type flag Cairn does not materialise (e.g. a GNU volume label); recorded only. */
        OTHER('o');

        private final char code;

        EntryType(char code) {
            this.code = code;
        }

        /** The one-letter code used in the manifest. */
        public char code() {
            return code;
        }

        static EntryType ofCode(String code) {
            for (EntryType t : values()) {
                if (code.length() == 1 && t.code == code.charAt(0)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown entry type '" + code + "'");
        }
    }

    /**
     * One tar entry.
     *
     * @param typeflag      the tar header's type byte as an unsigned value; {@link #SPARSE_TYPEFLAG} for a sparse
     *                      file whatever its format
     * @param path          relative to the layer root, {@code "."} for the root
     * @param mode          permission bits with setuid, setgid and sticky ({@code 07777} at most)
     * @param size          content bytes for a regular file, else 0
     * @param linkTarget    symlink target as archived, or hardlink target relative to the root; {@code ""} if none
     * @param xattrs        extended attributes the archive carried (PAX {@code SCHILY.xattr.*}), name to value
     * @param contentDigest sha256 of a regular file's content (of a sparse file: of its data segments in order, as
     *                      the tar stores them, since hashing its holes could mean hashing terabytes of zeros); null
     *                      for every other type
     */
    public record Entry(EntryType type, int typeflag, String path, int mode, long uid, long gid, String uname,
                        String gname, Instant mtime, long size, String linkTarget, int devMajor, int devMinor,
                        Map<String, String> xattrs, Digest contentDigest) {
        public Entry {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(uname, "uname");
            Objects.requireNonNull(gname, "gname");
            Objects.requireNonNull(mtime, "mtime");
            Objects.requireNonNull(linkTarget, "linkTarget");
            xattrs = Map.copyOf(xattrs);
            if ((contentDigest != null) != (type == EntryType.FILE)) {
                throw new IllegalArgumentException("a content digest is for regular files only: " + path);
            }
        }
    }

    /**
     * Reads and checks a manifest.
     *
     * @throws CorruptManifestException if the header, a line or the checksum is wrong, or the version is newer than
     *                                  {@link #VERSION}
     * @throws IOException              if the file cannot be read
     */
    public static Manifest read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        if (end == 0 || bytes[end - 1] != '\n') {
            throw new CorruptManifestException(file, "does not end with a newline (truncated?)");
        }
        int trailerStart = end - 1;
        while (trailerStart > 0 && bytes[trailerStart - 1] != '\n') {
            trailerStart--;
        }
        String trailer = new String(bytes, trailerStart, end - 1 - trailerStart, StandardCharsets.US_ASCII);
        String[] t = trailer.split("\t", -1);
        if (t.length != 3 || !t[0].equals("end")) {
            throw new CorruptManifestException(file, "last line is not an end line (truncated?): '" + trailer + "'");
        }
        MessageDigest sha = Digest.newSha256();
        sha.update(bytes, 0, trailerStart);
        Digest actual = Digest.ofBytes(sha.digest());
        if (!actual.toString().equals(t[2])) {
            throw new CorruptManifestException(file, "checksum failed (hardware problem?): recorded " + t[2]
                    + ", computed " + actual);
        }
        String[] lines = new String(bytes, 0, trailerStart, StandardCharsets.US_ASCII).split("\n", -1);
        if (lines.length < 2) {
            throw new CorruptManifestException(file, "no header line");
        }
        String[] header = lines[0].split("\t", -1);
        if (header.length != 2 || !header[0].equals(FORMAT_NAME)) {
            throw new CorruptManifestException(file, "not a layer manifest (header '" + lines[0] + "')");
        }
        int version;
        try {
            version = Integer.parseInt(header[1]);
        } catch (NumberFormatException e) {
            throw new CorruptManifestException(file, "bad version '" + header[1] + "'");
        }
        if (version < 1 || version > VERSION) {
            throw new CorruptManifestException(file, "format version " + version
                    + " is not supported by this reader (it reads 1 to " + VERSION + ")");
        }
        List<Entry> entries = new ArrayList<>(lines.length);
        for (int i = 1; i < lines.length - 1; i++) {
            try {
                entries.add(parseLine(lines[i]));
            } catch (RuntimeException e) {
                throw new CorruptManifestException(file, "line " + (i + 1) + ": " + e.getMessage());
            }
        }
        long count;
        try {
            count = Long.parseLong(t[1]);
        } catch (NumberFormatException e) {
            throw new CorruptManifestException(file, "bad entry count '" + t[1] + "'");
        }
        if (count != entries.size()) {
            throw new CorruptManifestException(file, "end line says " + count + " entries, found " + entries.size());
        }
        return new Manifest(entries);
    }

    static String headerLine() {
        return FORMAT_NAME + "\t" + VERSION + "\n";
    }

    static String trailerLine(long count, Digest digestOfAbove) {
        return "end\t" + count + "\t" + digestOfAbove + "\n";
    }

    /**
     * One entry's line. Called for every entry of every import, so it builds the line in one pass without
     * {@code String.format} (which was ~18 % of an import's Java samples) or a copy of an empty xattr map.
     */
    static String formatLine(Entry e) {
        StringBuilder b = new StringBuilder(160);
        b.append(e.type().code()).append('\t');
        appendEscaped(b, (byte) e.typeflag());
        b.append('\t');
        appendEscaped(b, e.path());
        b.append('\t');
        b.append(Integer.toOctalString(e.mode())).append('\t');
        b.append(e.uid()).append('\t');
        b.append(e.gid()).append('\t');
        appendEscaped(b, e.uname());
        b.append('\t');
        appendEscaped(b, e.gname());
        b.append('\t');
        b.append(e.mtime().getEpochSecond()).append('.');
        String nanos = Integer.toString(e.mtime().getNano());
        for (int pad = nanos.length(); pad < 9; pad++) {
            b.append('0');
        }
        b.append(nanos).append('\t');
        b.append(e.size()).append('\t');
        appendEscaped(b, e.linkTarget());
        b.append('\t');
        b.append(e.devMajor()).append('\t');
        b.append(e.devMinor()).append('\t');
        if (!e.xattrs().isEmpty()) {
            boolean first = true;
            for (Map.Entry<String, String> kv : new TreeMap<>(e.xattrs()).entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                appendEscaped(b, kv.getKey());
                b.append('=');
                appendEscaped(b, kv.getValue());
            }
        }
        b.append('\t');
        if (e.contentDigest() != null) {
            b.append(e.contentDigest().toString());
        }
        return b.append('\n').toString();
    }

    /** {@link #escape(String)} appended to {@code b}; text of plain printable ASCII is appended as it is. */
    private static void appendEscaped(StringBuilder b, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '%' || c == ',' || c == '=') {
                b.append(escape(text.substring(i)));
                return;
            }
            b.append(c);
        }
    }

    private static void appendEscaped(StringBuilder b, byte raw) {
        int c = raw & 0xff;
        if (c <= 0x20 || c >= 0x7f || c == '%' || c == ',' || c == '=') {
            b.append('%').append(HEX.toHexDigits((byte) c));
        } else {
            b.append((char) c);
        }
    }

    static Entry parseLine(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != COLUMNS) {
            throw new IllegalArgumentException("expected " + COLUMNS + " tab-separated fields, found " + f.length);
        }
        byte[] flag = unescapeBytes(f[1]);
        if (flag.length != 1) {
            throw new IllegalArgumentException("type flag is not one byte: '" + f[1] + "'");
        }
        String[] time = f[8].split("\\.", -1);
        if (time.length != 2 || time[1].length() != 9) {
            throw new IllegalArgumentException("bad mtime '" + f[8] + "'");
        }
        Map<String, String> xattrs = new TreeMap<>();
        if (!f[13].isEmpty()) {
            for (String kv : f[13].split(",", -1)) {
                int eq = kv.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("bad xattr '" + kv + "'");
                }
                xattrs.put(unescape(kv.substring(0, eq)), unescape(kv.substring(eq + 1)));
            }
        }
        return new Entry(EntryType.ofCode(f[0]), flag[0] & 0xff, unescape(f[2]), Integer.parseInt(f[3], 8),
                Long.parseLong(f[4]), Long.parseLong(f[5]), unescape(f[6]), unescape(f[7]),
                Instant.ofEpochSecond(Long.parseLong(time[0]), Integer.parseInt(time[1])), Long.parseLong(f[9]),
                unescape(f[10]), Integer.parseInt(f[11]), Integer.parseInt(f[12]), xattrs,
                f[14].isEmpty() ? null : Digest.parse(f[14]));
    }

    static String escape(String text) {
        return escape(text.getBytes(StandardCharsets.UTF_8));
    }

    static String escape(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length + 8);
        for (byte raw : bytes) {
            appendEscaped(b, raw);
        }
        return b.toString();
    }

    static String unescape(String field) {
        return new String(unescapeBytes(field), StandardCharsets.UTF_8);
    }

    static byte[] unescapeBytes(String field) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '%') {
                if (i + 3 > field.length()) {
                    throw new IllegalArgumentException("bad escape at the end of '" + field + "'");
                }
                out.write(HexFormat.fromHexDigits(field, i + 1, i + 3));
                i += 2;
            } else if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("unescaped byte 0x" + Integer.toHexString(c) + " in '" + field + "'");
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }
}
