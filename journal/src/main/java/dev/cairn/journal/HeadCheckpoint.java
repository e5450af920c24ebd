package dev.cairn.journal;

import dev.cairn.model.Digest;
import dev.cairn.model.JournalCorruptedException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The journal's head checkpoint: the seq and hash of a record known to be durable, kept in a small file beside the
 * queue ({@code <journal>/head}) so that a journal which lost its tail (a missing last cycle file, a cycle file
 * restored from an older copy, a truncated end) is detected at open: the queue alone cannot tell that anything is
 * missing after its last record.
 *
 * <p>Format (49 bytes, big-endian): magic {@code CRNH}, format version 1, seq (8), raw sha256 of record seq (32),
 * CRC-32C of the bytes before it (4). It is rewritten in place, always at offset 0, after a batch of records is
 * durable, so it never names a record that is not; a write of 49 bytes inside one sector is not torn in practice,
 * and if it were the CRC would say so. Value class; the static methods are thread-safe.
 *
 * @param seq  the seq of the record, 0 for an empty journal
 * @param hash that record's hash (the zero hash for seq 0)
 */
record HeadCheckpoint(long seq, Digest hash) {

    /** The file name inside the journal directory. */
    static final String FILE = "head";

    private static final int MAGIC = 0x43524E48;
    private static final byte VERSION = 1;
    static final int SIZE = 4 + 1 + 8 + 32 + 4;

    /**
     * Reads the checkpoint of the journal in {@code dir}; empty if there is none or the file is empty (a journal
     * written before checkpoints existed, or one whose first open was interrupted).
     *
     * @throws JournalCorruptedException if the file exists but is not a sound checkpoint
     */
    static Optional<HeadCheckpoint> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (bytes.length == 0) {
            return Optional.empty();
        }
        if (bytes.length != SIZE) {
            throw damaged(file, "is " + bytes.length + " bytes, expected " + SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int magic = b.getInt();
        if (magic != MAGIC) {
            throw damaged(file, String.format("has magic 0x%08x, expected 0x%08x", magic, MAGIC));
        }
        int version = b.get() & 0xFF;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, SIZE - 4);
        int stored = ByteBuffer.wrap(bytes, SIZE - 4, 4).getInt();
        if (version > VERSION) {
            throw damaged(file, "was written by a newer Cairn, format version " + version
                    + "; this Cairn reads format versions up to " + VERSION);
        }
        if (stored != (int) crc.getValue()) {
            throw damaged(file, String.format("checksum failed (hardware problem?): stored CRC-32C 0x%08x, "
                    + "computed 0x%08x", stored, (int) crc.getValue()));
        }
        long seq = b.getLong();
        byte[] hash = new byte[32];
        b.get(hash);
        if (seq < 0) {
            throw damaged(file, "names seq " + Long.toUnsignedString(seq));
        }
        return Optional.of(new HeadCheckpoint(seq, Digest.ofBytes(hash)));
    }

    /** The checkpoint's bytes. */
    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.putInt(MAGIC).put(VERSION).putLong(seq).put(hash.bytes());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Writes this checkpoint at offset 0 of {@code channel}; fsyncs it if {@code sync}. */
    void writeTo(FileChannel channel, boolean sync) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(encode());
        long position = 0;
        while (b.hasRemaining()) {
            position += channel.write(b, position);
        }
        if (sync) {
            channel.force(true);
        }
    }

    /** Writes this checkpoint to {@code <dir>/head} (creating it) and fsyncs it. */
    void writeDurably(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            writeTo(channel, true);
        }
    }

    private static JournalCorruptedException damaged(Path file, String what) {
        return new JournalCorruptedException(0, file.toString(), "the journal's head checkpoint " + what
                + "; run cairn repair");
    }
}
