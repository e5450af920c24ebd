package dev.cairn.journal.tlog;

import dev.cairn.model.FormatTooNewException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The hashes of every complete subtree of a Merkle tree, in post-order, in one append-only file
 * ({@code <journal>/merkle}, docs/PROOFS.md "The tree file"). Appending leaf {@code i} appends its hash and then the
 * hash of every subtree it completes, lowest first, so the file only ever grows at its end and the node at level
 * {@code l}, index {@code j} sits at a position computed from those two numbers alone ({@link #position}).
 *
 * <h2>Format (version 1)</h2>
 * All integers big-endian.
 * <pre>
 * offset  size  field
 *      0     4  magic "CRNM" (0x43 0x52 0x4E 0x4D)
 *      4     1  format version (1)
 *      5     1  hash: 1 = SHA-256 with the RFC 6962 leaf and node prefixes
 *      6     2  entry size: 36
 *      8     8  synced entries: how many entries an fsync has made durable (the open-time scan starts there)
 *     16     4  CRC-32C of bytes 0..15
 *     20  36*k  entries; entry p: the 32-byte hash, then CRC-32C of (p as 8 bytes || the hash)
 * </pre>
 *
 * <h2>Durability</h2>
 * The file is derived data: it is never fsynced per append, because everything in it can be computed again from
 * the journal. It is fsynced every {@value #SYNC_INTERVAL} entries and on request ({@link #sync}), and the header then
 * records how many entries are durable, so that after a machine crash only the entries past that mark (those that
 * may have been lost or torn) are scanned when the file is opened; the first whose CRC fails ends the file. Every
 * entry read later is checked against its CRC again ({@link TreeDamagedException}).
 *
 * <p>Appends go to memory first and reach the file with {@link #flush} (one write). A tree file opened read-only
 * never writes: what is appended stays in memory, which is how a read-only process brings a lagging tree up to date.
 * {@link #inMemory()} is the same without any file.
 *
 * <p>Not thread-safe: the caller serializes all calls, and across processes holds the tree's lock while it writes.
 */
final class TreeFile implements Closeable {

    /** The hash algorithm id of version 1 files. */
    static final byte HASH_SHA256_RFC6962 = 1;
    static final int HEADER_SIZE = 20;
    static final int ENTRY_SIZE = Rfc6962.HASH_SIZE + 4;
    /** The file is fsynced when this many entries have been written since the last fsync. */
    static final long SYNC_INTERVAL = 1 << 16;

    private static final int MAGIC = 0x43524E4D;
    private static final byte VERSION = 1;
    /** Entries per chunk of memory (128 KiB); the first chunk is kept for reuse after a flush. */
    private static final int CHUNK_ENTRIES = 1 << 12;
    private static final int IO_ENTRIES = 1 << 14;

    private final Path file;
    private final FileChannel channel;
    private final boolean writable;
    /** The file's identity when it was opened; a different one at the path means it was replaced. */
    private final Object fileKey;
    /** Entries in the file that passed their checks (never more than the file holds). */
    private long fileEntries;
    /** Entries made durable by an fsync, as recorded in the header. */
    private long syncedEntries;
    /** Entries appended after {@link #fileEntries}, not yet in the file. */
    private final List<byte[]> chunks = new ArrayList<>();
    private long memoryEntries;
    /** How many hashes {@link #read} returned, for tests of what a proof costs. */
    private long reads;

    private TreeFile(Path file, FileChannel channel, boolean writable, Object fileKey) {
        this.file = file;
        this.channel = channel;
        this.writable = writable;
        this.fileKey = fileKey;
    }

    /** A tree kept in memory only. */
    static TreeFile inMemory() {
        return new TreeFile(null, null, false, null);
    }

    /**
     * Opens the tree file at {@code file}. Writable: creates it (with its header) if it is absent or empty, and cuts
     * off entries past the synced mark that fail their CRC. Read-only: a missing file is an empty tree kept in
     * memory, and bad entries at the end are only left unread.
     *
     * @throws FormatTooNewException if the file was written by a newer Cairn
     * @throws TreeDamagedException  if its header is not a sound version-1 header, or it is shorter than its synced
     *                               mark says
     */
    static TreeFile open(Path file, boolean writable) throws IOException {
        FileChannel channel;
        try {
            channel = writable
                    ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            if (writable) {
                throw e;
            }
            return inMemory();
        }
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            TreeFile tree = new TreeFile(file, channel, writable, key);
            tree.load();
            return tree;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void load() throws IOException {
        long length = channel.size();
        if (length == 0) {
            if (writable) {
                writeHeader(0);
                channel.force(true);
            }
            return;
        }
        if (length < HEADER_SIZE) {
            throw new TreeDamagedException(file, "is " + length + " bytes, shorter than its header");
        }
        ByteBuffer header = readFully(0, HEADER_SIZE);
        int magic = header.getInt();
        if (magic != MAGIC) {
            throw new TreeDamagedException(file, String.format("has magic 0x%08x, expected 0x%08x", magic, MAGIC));
        }
        int version = header.get() & 0xFF;
        if (version > VERSION) {
            throw FormatTooNewException.newerVersion(file.toString(), 0, "Cairn Merkle tree file", version, VERSION);
        }
        int hash = header.get() & 0xFF;
        int entrySize = header.getShort() & 0xFFFF;
        long synced = header.getLong();
        int stored = header.getInt();
        int computed = crc(header.array(), 0, HEADER_SIZE - 4);
        if (stored != computed) {
            throw new TreeDamagedException(file, String.format("header checksum failed (hardware problem?): stored "
                    + "CRC-32C 0x%08x, computed 0x%08x", stored, computed));
        }
        if (version != VERSION || hash != HASH_SHA256_RFC6962 || entrySize != ENTRY_SIZE) {
            throw new TreeDamagedException(file, "has version " + version + ", hash " + hash + ", entry size "
                    + entrySize + "; expected 1, 1 and " + ENTRY_SIZE);
        }
        long whole = (length - HEADER_SIZE) / ENTRY_SIZE;
        if (synced < 0 || synced > whole) {
            throw new TreeDamagedException(file, "holds " + whole + " entries but its header says " + synced
                    + " were made durable (an older or truncated copy?)");
        }
        syncedEntries = synced;
        fileEntries = synced + checkedEntries(synced, whole);
        if (writable && length != HEADER_SIZE + fileEntries * ENTRY_SIZE) {
            channel.truncate(HEADER_SIZE + fileEntries * ENTRY_SIZE);
        }
    }

    /** How many entries from {@code from} on pass their CRC, reading at most up to {@code to}. */
    private long checkedEntries(long from, long to) throws IOException {
        long good = 0;
        for (long p = from; p < to; ) {
            int n = (int) Math.min(IO_ENTRIES, to - p);
            ByteBuffer b = readFully(HEADER_SIZE + p * ENTRY_SIZE, n * ENTRY_SIZE);
            for (int i = 0; i < n; i++, p++) {
                if (entryCrcFails(b, i * ENTRY_SIZE, p)) {
                    return good;
                }
                good++;
            }
        }
        return good;
    }

    /**
     * Notices entries another process appended to the file since it was opened or last refreshed, checking them.
     *
     * @return false if the file at the path is no longer the one this object has open (it was moved aside or
     * replaced): the caller must open it again
     */
    boolean refresh() throws IOException {
        if (channel == null) {
            return true;
        }
        Object now;
        try {
            now = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return false;
        }
        if (!Objects.equals(now, fileKey)) {
            return false;
        }
        long whole = Math.max(0, (channel.size() - HEADER_SIZE) / ENTRY_SIZE);
        if (whole != fileEntries) {
            // what is in memory was computed by this process from the same journal: the file's copy replaces it
            dropMemory();
            // shorter: another writer cut off a partial last leaf this object had counted
            fileEntries = whole < fileEntries ? whole : fileEntries + checkedEntries(fileEntries, whole);
        }
        return true;
    }

    /** The file, null for a tree in memory. */
    Path path() {
        return file;
    }

    boolean writable() {
        return writable;
    }

    /** How many entries there are, in the file and in memory. */
    long entries() {
        return fileEntries + memoryEntries;
    }

    /** The hash at {@code position}. */
    byte[] read(long position) throws IOException {
        if (position < 0 || position >= entries()) {
            throw new IndexOutOfBoundsException("entry " + position + " of " + entries());
        }
        reads++;
        if (position >= fileEntries) {
            long m = position - fileEntries;
            byte[] chunk = chunks.get((int) (m / CHUNK_ENTRIES));
            int at = (int) (m % CHUNK_ENTRIES) * Rfc6962.HASH_SIZE;
            byte[] out = new byte[Rfc6962.HASH_SIZE];
            System.arraycopy(chunk, at, out, 0, out.length);
            return out;
        }
        ByteBuffer b = readFully(HEADER_SIZE + position * ENTRY_SIZE, ENTRY_SIZE);
        if (entryCrcFails(b, 0, position)) {
            throw new TreeDamagedException(file, String.format("entry %d failed its checksum (hardware problem?): "
                    + "stored CRC-32C 0x%08x, computed 0x%08x", position, b.getInt(Rfc6962.HASH_SIZE),
                    entryCrc(b.array(), 0, position)));
        }
        byte[] out = new byte[Rfc6962.HASH_SIZE];
        b.get(0, out);
        return out;
    }

    /** How many hashes have been read so far. */
    long reads() {
        return reads;
    }

    /** Appends one hash (in memory until {@link #flush}). */
    void append(byte[] hash) {
        if (hash.length != Rfc6962.HASH_SIZE) {
            throw new IllegalArgumentException("a hash is " + Rfc6962.HASH_SIZE + " bytes, not " + hash.length);
        }
        int chunk = (int) (memoryEntries / CHUNK_ENTRIES);
        if (chunk == chunks.size()) {
            chunks.add(new byte[CHUNK_ENTRIES * Rfc6962.HASH_SIZE]);
        }
        int at = (int) (memoryEntries % CHUNK_ENTRIES) * Rfc6962.HASH_SIZE;
        System.arraycopy(hash, 0, chunks.get(chunk), at, Rfc6962.HASH_SIZE);
        memoryEntries++;
    }

    /**
     * Writes what was appended into the file (nothing for a read-only or in-memory tree), and fsyncs it when
     * {@value #SYNC_INTERVAL} entries are unsynced.
     */
    void flush() throws IOException {
        if (!writable || memoryEntries == 0) {
            return;
        }
        long written = 0;
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(IO_ENTRIES, memoryEntries) * ENTRY_SIZE);
        while (written < memoryEntries) {
            b.clear();
            int n = (int) Math.min(IO_ENTRIES, memoryEntries - written);
            for (int i = 0; i < n; i++) {
                long m = written + i;
                byte[] chunk = chunks.get((int) (m / CHUNK_ENTRIES));
                int at = (int) (m % CHUNK_ENTRIES) * Rfc6962.HASH_SIZE;
                b.put(chunk, at, Rfc6962.HASH_SIZE);
                b.putInt(entryCrc(chunk, at, fileEntries + m));
            }
            b.flip();
            writeFully(b, HEADER_SIZE + (fileEntries + written) * ENTRY_SIZE);
            written += n;
        }
        fileEntries += memoryEntries;
        dropMemory();
        if (fileEntries - syncedEntries >= SYNC_INTERVAL) {
            sync();
        }
    }

    /** Flushes, fsyncs the file, and records in its header that every entry is durable. */
    void sync() throws IOException {
        if (!writable) {
            return;
        }
        flush();
        if (syncedEntries == fileEntries) {
            return;
        }
        channel.force(true);
        writeHeader(fileEntries);
    }

    /** Drops every entry from {@code entries} on (a partial last leaf left by a crash), in the file if writable. */
    void truncate(long entries) throws IOException {
        if (entries < 0 || entries > entries()) {
            throw new IllegalArgumentException("cannot truncate " + entries() + " entries to " + entries);
        }
        if (entries >= fileEntries) {
            memoryEntries = entries - fileEntries;
            return;
        }
        dropMemory();
        fileEntries = entries;
        if (writable) {
            channel.truncate(HEADER_SIZE + entries * ENTRY_SIZE);
            if (syncedEntries > entries) {
                channel.force(true);
                writeHeader(entries);
            }
        }
    }

    /** Forgets the entries in memory, keeping the first chunk to reuse. */
    private void dropMemory() {
        while (chunks.size() > 1) {
            chunks.remove(chunks.size() - 1);
        }
        memoryEntries = 0;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    // --- positions ----------------------------------------------------------------------------------------------

    /** How many entries a tree of {@code leaves} leaves has: every leaf and every complete interior node. */
    static long entriesFor(long leaves) {
        return 2 * leaves - Long.bitCount(leaves);
    }

    /** The largest tree whose entries fit in {@code entries}. */
    static long leavesIn(long entries) {
        // entriesFor is increasing and entriesFor(n) >= n, so the answer lies in [entries / 2, entries]
        long lo = entries / 2;
        long hi = entries;
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            if (entriesFor(mid) <= entries) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * The position of the complete subtree at {@code level} (0 for leaves) and {@code index} (counted from the left
     * at that level): it is written right after leaf {@code (index + 1) * 2^level - 1} and the levels below it that
     * leaf completes.
     */
    static long position(int level, long index) {
        long leaves = (index + 1) << level;
        return entriesFor(leaves) - 1 - (Long.numberOfTrailingZeros(leaves) - level);
    }

    // --- bytes --------------------------------------------------------------------------------------------------

    private void writeHeader(long synced) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
        b.putInt(MAGIC).put(VERSION).put(HASH_SHA256_RFC6962).putShort((short) ENTRY_SIZE).putLong(synced);
        b.putInt(crc(b.array(), 0, b.position()));
        b.flip();
        writeFully(b, 0);
        syncedEntries = synced;
    }

    private boolean entryCrcFails(ByteBuffer b, int offset, long position) {
        return b.getInt(offset + Rfc6962.HASH_SIZE) != entryCrc(b.array(), offset, position);
    }

    private static int entryCrc(byte[] hash, int offset, long position) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(0, position).array());
        crc.update(hash, offset, Rfc6962.HASH_SIZE);
        return (int) crc.getValue();
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private ByteBuffer readFully(long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (channel.read(b, offset + b.position()) < 0) {
                throw new TreeDamagedException(file, "ends at byte " + (offset + b.position()) + ", inside entry data");
            }
        }
        b.flip();
        return b;
    }

    private void writeFully(ByteBuffer b, long offset) throws IOException {
        long at = offset;
        while (b.hasRemaining()) {
            at += channel.write(b, at);
        }
    }
}
