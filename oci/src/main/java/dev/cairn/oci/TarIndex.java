package dev.cairn.oci;

import dev.cairn.model.InvalidImageException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The entries of a tar file on disk, found by one pass over its headers (the data is skipped, not read), so that any
 * entry can then be read at its offset — several at once, by positional reads of one channel. This is all a
 * docker-archive needs of tar: ustar, GNU and PAX headers (long names, PAX {@code path}, {@code linkpath} and
 * {@code size}), regular files, and symlinks and hardlinks between entries, which are followed within the archive.
 *
 * <p>Names are compared cleaned ({@code ./a//b} is {@code a/b}). A name that occurs twice is refused when it is looked
 * up: readers disagree on which copy counts (Go's first, an extraction's last). A header with a bad checksum, a
 * truncated entry or a link leading outside the archive is an {@link InvalidImageException} naming the archive.
 * Thread-safe after {@link #read}.
 */
final class TarIndex {

    /** One entry: its type flag and, for files, where its data lies; for links, the target as written. */
    record Entry(String name, char type, long offset, long size, String linkName) {
        boolean regular() {
            return type == '0' || type == '\0' || type == '7';
        }
    }

    private static final int BLOCK = 512;
    private static final int MAX_META = 1 << 20;
    private static final int MAX_LINK_HOPS = 16;

    private final String archive;
    private final Map<String, Entry> entries;
    private final Set<String> duplicates;

    private TarIndex(String archive, Map<String, Entry> entries, Set<String> duplicates) {
        this.archive = archive;
        this.entries = entries;
        this.duplicates = duplicates;
    }

    /** Reads every header of the tar in {@code ch}; {@code archive} names it in errors. */
    static TarIndex read(FileChannel ch, String archive) throws IOException {
        Map<String, Entry> entries = new HashMap<>();
        Set<String> duplicates = new HashSet<>();
        long size = ch.size();
        long pos = 0;
        String longName = null;
        String longLink = null;
        Map<String, String> pax = new HashMap<>();
        ByteBuffer block = ByteBuffer.allocate(BLOCK);
        while (true) {
            if (pos == size) {
                break; // no end-of-archive blocks: Go's reader accepts this too
            }
            if (pos + BLOCK > size) {
                throw corrupt(archive, "truncated header at byte " + pos);
            }
            readFully(ch, block.clear(), pos, archive);
            byte[] h = block.array();
            if (allZero(h)) {
                break; // end of archive
            }
            checkChecksum(h, pos, archive);
            char type = (char) h[156];
            boolean meta = type == 'x' || type == 'g' || type == 'L' || type == 'K';
            long dataSize = !meta && pax.containsKey("size") ? paxSize(pax.get("size"), archive, pos)
                    : number(h, 124, 12, archive, pos);
            long data = pos + BLOCK;
            long next = data + (dataSize + BLOCK - 1) / BLOCK * BLOCK;
            if (dataSize < 0 || next > size) {
                throw corrupt(archive, "entry at byte " + pos + " runs past the end of the file");
            }
            switch (type) {
                case 'x' -> pax.putAll(paxRecords(meta(ch, data, dataSize, archive), archive, pos));
                case 'g' -> {
                    // global PAX headers carry nothing a docker-archive uses
                }
                case 'L' -> longName = cString(meta(ch, data, dataSize, archive));
                case 'K' -> longLink = cString(meta(ch, data, dataSize, archive));
                default -> {
                    String name = pax.getOrDefault("path", longName != null ? longName : headerName(h));
                    String link = pax.getOrDefault("linkpath", longLink != null ? longLink : field(h, 157, 100));
                    String clean = clean(name);
                    Entry e = new Entry(clean, type, data, dataSize, link);
                    if (entries.putIfAbsent(clean, e) != null) {
                        duplicates.add(clean);
                    }
                    longName = null;
                    longLink = null;
                    pax.clear();
                }
            }
            pos = next;
        }
        return new TarIndex(archive, entries, duplicates);
    }

    /** The regular file a name leads to, following symlinks and hardlinks inside the archive; empty if none. */
    Optional<Entry> file(String name) throws InvalidImageException {
        String current = clean(name);
        for (int hop = 0; hop <= MAX_LINK_HOPS; hop++) {
            if (duplicates.contains(current)) {
                throw new InvalidImageException(archive, "two entries are named " + current
                        + " (readers disagree on which counts)");
            }
            Entry e = entries.get(current);
            if (e == null) {
                return Optional.empty();
            }
            if (e.regular()) {
                return Optional.of(e);
            }
            String target;
            if (e.type() == '2') {
                if (e.linkName().startsWith("/")) {
                    throw new InvalidImageException(archive, current + " is a symlink to an absolute path");
                }
                int slash = current.lastIndexOf('/');
                target = clean((slash < 0 ? "" : current.substring(0, slash + 1)) + e.linkName());
            } else if (e.type() == '1') {
                target = clean(e.linkName());
            } else {
                throw new InvalidImageException(archive, current + " is not a file (tar type '" + e.type() + "')");
            }
            if (target.equals("..") || target.startsWith("../") || target.startsWith("/")) {
                throw new InvalidImageException(archive, current + " links outside the archive: " + e.linkName());
            }
            current = target;
        }
        throw new InvalidImageException(archive, name + ": more than " + MAX_LINK_HOPS + " links (a loop?)");
    }

    /**
     * The entry's bytes, read at its offset; independent of other streams on the same channel. Closing the stream
     * closes {@code ch} only if {@code owned}.
     */
    static InputStream open(FileChannel ch, Entry e, boolean owned) {
        return new InputStream() {
            @Override
            public void close() throws IOException {
                if (owned) {
                    ch.close();
                }
            }

            private long pos = e.offset();
            private final long end = e.offset() + e.size();

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= end) {
                    return -1;
                }
                int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
                if (n < 0) {
                    throw new EOFException("tar entry " + e.name() + " ends early");
                }
                pos += n;
                return n;
            }
        };
    }

    /** Go's {@code path.Clean}, less the root: {@code ./a//b/../c} is {@code a/c}. */
    static String clean(String name) {
        Deque<String> parts = new ArrayDeque<>();
        boolean rooted = name.startsWith("/");
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..") && !parts.isEmpty() && !parts.peekLast().equals("..")) {
                parts.removeLast();
            } else if (!(p.equals("..") && rooted)) {
                parts.addLast(p);
            }
        }
        String joined = String.join("/", parts);
        return rooted ? "/" + joined : joined.isEmpty() ? "." : joined;
    }

    private static byte[] meta(FileChannel ch, long pos, long size, String archive) throws IOException {
        if (size > MAX_META) {
            throw corrupt(archive, "a " + size + "-byte long name or PAX header");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        readFully(ch, b, pos, archive);
        return b.array();
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos, String archive) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) {
                throw corrupt(archive, "ends early at byte " + (pos + b.position()));
            }
        }
    }

    private static Map<String, String> paxRecords(byte[] data, String archive, long pos) throws InvalidImageException {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw corrupt(archive, "bad PAX record at byte " + pos);
            }
            if (len <= space - i + 1 || i + len > data.length || data[i + len - 1] != '\n') {
                throw corrupt(archive, "bad PAX record at byte " + pos);
            }
            String kv = new String(data, space + 1, i + len - space - 2, StandardCharsets.UTF_8);
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw corrupt(archive, "bad PAX record at byte " + pos);
            }
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
            i += len;
        }
        return out;
    }

    private static long paxSize(String text, String archive, long pos) throws InvalidImageException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw corrupt(archive, "bad PAX size at byte " + pos);
        }
    }

    private static String headerName(byte[] h) {
        String name = field(h, 0, 100);
        boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r'
                && h[262] == 0;
        String prefix = ustar ? field(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String field(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    /** An octal field, or GNU base-256 where its first byte has the high bit set. */
    private static long number(byte[] h, int off, int len, String archive, long pos) throws InvalidImageException {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            for (int i = off + 1; i < off + len; i++) {
                if ((v >>> 55) != 0) {
                    throw corrupt(archive, "number too large in header at byte " + pos);
                }
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        String s = field(h, off, len).trim();
        if (s.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw corrupt(archive, "bad number in header at byte " + pos);
        }
    }

    private static void checkChecksum(byte[] h, long pos, String archive) throws InvalidImageException {
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += (byte) b;
        }
        long stored = number(h, 148, 8, archive, pos);
        if (stored != unsigned && stored != signed) {
            throw corrupt(archive, "header checksum fails at byte " + pos + " (not a tar, or damaged)");
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static InvalidImageException corrupt(String archive, String reason) {
        return new InvalidImageException(archive, reason);
    }
}
