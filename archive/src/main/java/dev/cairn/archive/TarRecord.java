package dev.cairn.archive;

import dev.cairn.model.Digest;
import dev.cairn.model.FormatTooNewException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The per-layer record that rebuilds a layer's original uncompressed tar byte for byte from its extracted files
 * (what tar-split is to containers/storage). It holds no file content: the tar's non-content bytes (headers,
 * extended headers, padding, end-of-archive blocks, trailing bytes) and, for each file's content, a reference to the
 * file by path, size and sha256. docs/LAYER-FORMAT.md describes the format byte by byte.
 *
 * <h2>Format, version 1</h2>
 * <pre>
 * magic       4 bytes  C4 1B 7A 52
 * name        1 byte length, then "cairn-tar-record" in ASCII
 * version     4 bytes big-endian, 1
 * operations  each a tag byte and its fields; numbers are unsigned LEB128 varints
 *   'R' n, n bytes                      raw tar bytes
 *   'Z' n                               n zero bytes
 *   'F' no, pathlen, path, size, sparse, [count, (offset, length)*], sha256(32)
 *                                        content of file number no: the whole file (sparse 0) or the listed
 *                                        segments (sparse 1); sha256 of the bytes it contributes to the tar
 *   'S' no                               file number no was displaced by a later entry and lives in shadow/no
 *   'E' length, sha256(32)               end: the tar's length and sha256
 * crc         4 bytes big-endian CRC-32C of every byte before it
 * </pre>
 * A path is relative to the layer's {@code diff} folder, UTF-8, components joined by {@code /}; an empty path means
 * the content lives only in {@code shadow/no}. Immutable once written; reading is thread-safe.
 */
public final class TarRecord {

    /** The record's file name in a layer folder, beside {@code diff} and {@code manifest}. */
    public static final String FILE_NAME = "tar-record";
    /** The folder beside {@code diff} holding file contents a later entry displaced. */
    public static final String SHADOW_DIR = "shadow";
    /** The format name stored after the magic. */
    public static final String FORMAT_NAME = "cairn-tar-record";
    /** The version this code writes and the newest it reads. */
    public static final int VERSION = 1;

    static final byte[] MAGIC = {(byte) 0xC4, 0x1B, 0x7A, 0x52};
    /** Shorter runs of zeros inside raw bytes are stored as they are. */
    private static final int MIN_ZERO_RUN = 32;

    private TarRecord() {
    }

    /**
     * Writes the tar that {@code layerFolder}'s record rebuilds to {@code out}, checking every file read against the
     * record and the whole against {@code expected}. Files are opened without following symlinks and every folder on
     * their path is checked to be a real folder, so nothing outside the layer is ever read.
     *
     * @param label       names the layer in errors
     * @param layerFolder holding {@code diff}, {@link #FILE_NAME} and {@link #SHADOW_DIR}
     * @param expected    the layer's diff digest
     * @return the number of bytes written
     * @throws CorruptLayerException  if the record is damaged, a file differs from the record, or the output's
     *                                digest is not {@code expected}; bytes written before the problem was found are
     *                                not taken back
     * @throws FormatTooNewException  if the record is a sound one of a newer format version (nothing is written)
     */
    public static long reproduce(String label, Path layerFolder, Digest expected, OutputStream out)
            throws IOException {
        Path file = layerFolder.resolve(FILE_NAME);
        Set<Long> shadowed = check(label, file);
        Path diff = layerFolder.resolve("diff");
        Path shadow = layerFolder.resolve(SHADOW_DIR);
        MessageDigest total = Digest.newSha256();
        long written = 0;
        byte[] buf = new byte[1 << 16];
        try (DataInputStream in = open(file)) {
            skipHeader(in);
            while (true) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 'R' -> {
                        long n = varint(in);
                        while (n > 0) {
                            int k = (int) Math.min(n, buf.length);
                            in.readFully(buf, 0, k);
                            out.write(buf, 0, k);
                            total.update(buf, 0, k);
                            n -= k;
                            written += k;
                        }
                    }
                    case 'Z' -> {
                        long n = varint(in);
                        Arrays.fill(buf, (byte) 0);
                        while (n > 0) {
                            int k = (int) Math.min(n, buf.length);
                            out.write(buf, 0, k);
                            total.update(buf, 0, k);
                            n -= k;
                            written += k;
                        }
                    }
                    case 'F' -> {
                        long no = varint(in);
                        String rel = new String(in.readNBytes((int) varint(in)), StandardCharsets.UTF_8);
                        long size = varint(in);
                        long[] segments = null;
                        if (in.readUnsignedByte() == 1) {
                            segments = new long[(int) varint(in) * 2];
                            for (int i = 0; i < segments.length; i++) {
                                segments[i] = varint(in);
                            }
                        }
                        byte[] sha = in.readNBytes(32);
                        boolean inShadow = rel.isEmpty() || shadowed.contains(no);
                        Path base = inShadow ? shadow : diff;
                        String name = inShadow ? Long.toString(no) : rel;
                        written += copyContent(label, base, name, size, segments, sha, out, total, buf);
                    }
                    case 'S' -> varint(in);
                    case 'E' -> {
                        long length = varint(in);
                        Digest recorded = Digest.ofBytes(in.readNBytes(32));
                        Digest actual = Digest.ofBytes(total.digest());
                        if (written != length || !actual.equals(recorded) || !actual.equals(expected)) {
                            throw new CorruptLayerException("layer " + label + ": the rebuilt tar (" + written
                                    + " bytes, " + actual + ") is not the layer's (" + length + " bytes, "
                                    + expected + ")");
                        }
                        out.flush();
                        return written;
                    }
                    default -> throw new CorruptLayerException("layer " + label + ": tar record " + file
                            + " has an unknown operation " + tag);
                }
            }
        }
    }

    /**
     * Checks the record's header, version and checksum; returns the numbers of the displaced files.
     *
     * @throws CorruptLayerException if it is damaged
     * @throws FormatTooNewException if it is a sound record of a newer format version
     */
    static Set<Long> check(String label, Path file) throws IOException {
        Set<Long> shadowed = new HashSet<>();
        CRC32C crc = new CRC32C();
        try (DataInputStream in = new DataInputStream(new java.util.zip.CheckedInputStream(open(file), crc))) {
            skipHeaderChecked(label, file, in);
            while (true) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 'R' -> in.skipNBytes(varint(in));
                    case 'Z' -> varint(in);
                    case 'F' -> {
                        varint(in);
                        in.skipNBytes(varint(in));
                        varint(in);
                        if (in.readUnsignedByte() == 1) {
                            long n = varint(in) * 2;
                            for (long i = 0; i < n; i++) {
                                varint(in);
                            }
                        }
                        in.skipNBytes(32);
                    }
                    case 'S' -> shadowed.add(varint(in));
                    case 'E' -> {
                        varint(in);
                        in.skipNBytes(32);
                        long computed = crc.getValue();
                        byte[] stored = in.readNBytes(4);
                        long value = stored.length == 4 ? ByteBuffer.wrap(stored).getInt() & 0xffffffffL : -1;
                        if (value != computed) {
                            throw new CorruptLayerException("layer " + label + ": tar record " + file
                                    + ": checksum failed (hardware problem?): stored " + hex(value) + ", computed "
                                    + hex(computed));
                        }
                        if (in.read() >= 0) {
                            throw new CorruptLayerException("layer " + label + ": tar record " + file
                                    + " has bytes after its end");
                        }
                        return shadowed;
                    }
                    default -> throw new CorruptLayerException("layer " + label + ": tar record " + file
                            + " is damaged: unknown operation " + tag + " (checksum not reached)");
                }
            }
        } catch (EOFException e) {
            throw new CorruptLayerException("layer " + label + ": tar record " + file + " is truncated");
        } catch (NoSuchFileException e) {
            throw new CorruptLayerException("layer " + label + ": tar record " + file + " is missing");
        }
    }

    private static String hex(long v) {
        return v < 0 ? "(none)" : String.format("%08x", v);
    }

    private static long copyContent(String label, Path base, String rel, long size, long[] segments, byte[] sha,
                                    OutputStream out, MessageDigest total, byte[] buf) throws IOException {
        Path path = safePath(label, base, rel);
        MessageDigest fileHash = Digest.newSha256();
        long written = 0;
        BasicFileAttributes before;
        try {
            before = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new CorruptLayerException("layer " + label + ": file " + rel + " is missing");
        }
        if (!before.isRegularFile()) {
            throw new CorruptLayerException("layer " + label + ": file " + rel + " is "
                    + (before.isSymbolicLink() ? "a symlink; it is not followed" : "not a regular file"));
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || ch.size() != size) {
                throw new CorruptLayerException("layer " + label + ": file " + rel + " is "
                        + (a.isRegularFile() ? ch.size() + " bytes long, the record says " + size
                        : "not a regular file"));
            }
            long[] segs = segments == null ? new long[] {0, size} : segments;
            for (int i = 0; i < segs.length; i += 2) {
                long pos = segs[i];
                long left = segs[i + 1];
                while (left > 0) {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, (int) Math.min(left, buf.length));
                    int n = ch.read(bb, pos);
                    if (n < 0) {
                        throw new CorruptLayerException("layer " + label + ": file " + rel + " ends early");
                    }
                    out.write(buf, 0, n);
                    fileHash.update(buf, 0, n);
                    total.update(buf, 0, n);
                    pos += n;
                    left -= n;
                    written += n;
                }
            }
        } catch (java.nio.file.FileSystemException e) {
            throw new CorruptLayerException("layer " + label + ": file " + rel + " cannot be read safely: "
                    + e.getMessage());
        }
        if (!Arrays.equals(fileHash.digest(), sha)) {
            throw new CorruptLayerException("layer " + label + ": file " + rel + " does not match its sha256 in"
                    + " the record (sha256:" + HexFormat.of().formatHex(sha) + ")");
        }
        return written;
    }

    /** {@code base/rel}, after checking that no component of it is a symlink or anything but a folder. */
    private static Path safePath(String label, Path base, String rel) throws IOException {
        Path p = base;
        String[] parts = rel.split("/");
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty() || parts[i].equals(".") || parts[i].equals("..")) {
                throw new CorruptLayerException("layer " + label + ": the record names an unsafe path " + rel);
            }
            p = p.resolve(parts[i]);
            if (i < parts.length - 1) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    throw new CorruptLayerException("layer " + label + ": file " + rel + " is missing");
                }
                if (!a.isDirectory()) {
                    throw new CorruptLayerException("layer " + label + ": file " + rel + " is reached through "
                            + base.relativize(p) + ", which is " + (a.isSymbolicLink() ? "a symlink" : "not a folder")
                            + "; it is not followed");
                }
            }
        }
        return p;
    }

    private static DataInputStream open(Path file) throws IOException {
        return new DataInputStream(new BufferedInputStream(Channels.newInputStream(
                FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)), 1 << 16));
    }

    private static void skipHeader(DataInputStream in) throws IOException {
        in.skipNBytes(MAGIC.length);
        in.skipNBytes(in.readUnsignedByte());
        in.readInt();
    }

    private static void skipHeaderChecked(String label, Path file, DataInputStream in) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        String name = magic.length == MAGIC.length && Arrays.equals(magic, MAGIC)
                ? new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII) : null;
        if (!FORMAT_NAME.equals(name)) {
            throw new CorruptLayerException("layer " + label + ": " + file + " is not a Cairn tar record");
        }
        int version = in.readInt();
        if (version > VERSION) {
            // Newer only if the bytes are as written: a flipped bit in the version is damage, not a new format.
            long[] crc = storedAndComputedCrc(file);
            if (crc[0] == crc[1]) {
                throw FormatTooNewException.newerVersion("layer " + label + ": tar record " + file, 0, FORMAT_NAME,
                        version, VERSION);
            }
            throw new CorruptLayerException("layer " + label + ": tar record " + file + ": checksum failed "
                    + "(hardware problem?): stored " + hex(crc[0]) + ", computed " + hex(crc[1]) + "; its header says "
                    + "format version " + version + ", newer than this Cairn reads (" + VERSION + "), but a damaged "
                    + "header says nothing");
        }
        if (version < 1) {
            throw new CorruptLayerException("layer " + label + ": tar record " + file + " has format version "
                    + version + "; this Cairn reads versions 1 to " + VERSION);
        }
    }

    /** The CRC-32C stored in a record's last four bytes (-1 if it has none) and the one computed over the rest. */
    private static long[] storedAndComputedCrc(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            if (size < 4) {
                return new long[]{-1, 0};
            }
            CRC32C crc = new CRC32C();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            for (long pos = 0; pos < size - 4; ) {
                buf.clear().limit((int) Math.min(buf.capacity(), size - 4 - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    break;
                }
                crc.update(buf.flip());
                pos += n;
            }
            ByteBuffer stored = ByteBuffer.allocate(4);
            ch.read(stored, size - 4);
            return new long[]{stored.getInt(0) & 0xffffffffL, crc.getValue()};
        }
    }

    static long varint(InputStream in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("varint too long");
    }

    /** Writes a record while a layer is extracted. The file is created new; complete only after {@link #finish}. */
    static final class Writer implements AutoCloseable {
        private final FileChannel channel;
        private final OutputStream out;
        private final CRC32C crc = new CRC32C();
        private long zeros;

        Writer(Path file) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            write(MAGIC, 0, MAGIC.length);
            byte[] name = FORMAT_NAME.getBytes(StandardCharsets.US_ASCII);
            writeByte(name.length);
            write(name, 0, name.length);
            write(ByteBuffer.allocate(4).putInt(VERSION).array(), 0, 4);
        }

        /** Raw tar bytes; runs of zeros are stored as counts. */
        void raw(byte[] b, int off, int len) throws IOException {
            int i = off;
            int end = off + len;
            while (i < end) {
                int z = i;
                while (z < end && b[z] == 0) {
                    z++;
                }
                if (z > i && (z - i >= MIN_ZERO_RUN || z == end || zeros > 0)) {
                    zeros += z - i;
                    i = z;
                    continue;
                }
                int j = i;
                while (j < end) {
                    if (b[j] != 0) {
                        j++;
                        continue;
                    }
                    int k = j;
                    while (k < end && b[k] == 0) {
                        k++;
                    }
                    if (k - j >= MIN_ZERO_RUN || k == end) {
                        break;
                    }
                    j = k;
                }
                flushZeros();
                writeByte('R');
                writeVarint(j - i);
                write(b, i, j - i);
                i = j;
            }
        }

        void content(long no, String rel, long size, long[] segments, byte[] sha256) throws IOException {
            flushZeros();
            writeByte('F');
            writeVarint(no);
            byte[] path = rel.getBytes(StandardCharsets.UTF_8);
            writeVarint(path.length);
            write(path, 0, path.length);
            writeVarint(size);
            if (segments == null) {
                writeByte(0);
            } else {
                writeByte(1);
                writeVarint(segments.length / 2);
                for (long s : segments) {
                    writeVarint(s);
                }
            }
            write(sha256, 0, 32);
        }

        void shadowed(long no) throws IOException {
            flushZeros();
            writeByte('S');
            writeVarint(no);
        }

        /** Writes the end and the checksum and, if {@code sync}, forces the file to disk. */
        void finish(long length, Digest digest, boolean sync) throws IOException {
            flushZeros();
            writeByte('E');
            writeVarint(length);
            byte[] d = HexFormat.of().parseHex(digest.hex());
            write(d, 0, d.length);
            out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
            out.flush();
            if (sync) {
                channel.force(true);
            }
            channel.close();
        }

        private void flushZeros() throws IOException {
            if (zeros > 0) {
                writeByte('Z');
                writeVarint(zeros);
                zeros = 0;
            }
        }

        private void writeVarint(long v) throws IOException {
            while ((v & ~0x7fL) != 0) {
                writeByte((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            writeByte((int) v);
        }

        private void writeByte(int b) throws IOException {
            out.write(b);
            crc.update(b);
        }

        private void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            crc.update(b, off, len);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
