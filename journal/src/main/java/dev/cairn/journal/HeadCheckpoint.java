package dev.cairn.journal;

import dev.cairn.io.CorruptFrameException;
import dev.cairn.io.DurableFiles;
import dev.cairn.io.FrameFormat;
import dev.cairn.model.Digest;
import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.JournalCorruptedException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The journal's head checkpoint: the seq and hash of a record known to be durable, kept in a small file beside the
 * queue ({@code <journal>/head}) so that a journal which lost its tail (a missing last cycle file, a cycle file
 * restored from an older copy, a truncated end) is detected at open: the queue alone cannot tell that anything is
 * missing after its last record.
 *
 * <p>Format: a compact {@link FrameFormat} frame, 49 bytes, big-endian: magic {@code CRNH}, format version 1, seq
 * (8), raw sha256 of record seq (32), CRC-32C of the bytes before it (4). It is rewritten in place, always at offset
 * 0, after a batch of records is durable, so it never names a record that is not; a write of 49 bytes inside one
 * sector is not torn in practice, and if it were the CRC would say so. A checkpoint of a newer format version is
 * {@link FormatTooNewException}. Value class; the static methods are thread-safe.
 *
 * @param seq  the seq of the record, 0 for an empty journal
 * @param hash that record's hash (the zero hash for seq 0)
 */
record HeadCheckpoint(long seq, Digest hash) {

    /** The file name inside the journal directory. */
    static final String FILE = "head";
    /** The checkpoint's frame: magic "CRNH", versions 1 to 1. */
    static final FrameFormat FORMAT = FrameFormat.compact("Cairn journal head checkpoint", 0x43524E48, 1, 1);
    static final int SIZE = 4 + 1 + 8 + 32 + 4;

    /**
     * Reads the checkpoint of the journal in {@code dir}; empty if there is none or the file is empty (a journal
     * written before checkpoints existed, or one whose first open was interrupted).
     *
     * @throws JournalCorruptedException if the file exists but is not a sound checkpoint
     * @throws FormatTooNewException     if it is a sound checkpoint of a newer format version
     */
    static Optional<HeadCheckpoint> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        Optional<byte[]> read = DurableFiles.readIfExists(file);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = read.get();
        if (bytes.length == 0) {
            return Optional.empty();
        }
        ByteBuffer body;
        try {
            body = FORMAT.read(bytes, file::toString).body();
        } catch (CorruptFrameException e) {
            throw damaged(file, e.reason());
        }
        if (bytes.length != SIZE) {
            throw damaged(file, "is " + bytes.length + " bytes, expected " + SIZE);
        }
        long seq = body.getLong();
        byte[] hash = new byte[32];
        body.get(hash);
        if (seq < 0) {
            throw damaged(file, "names seq " + Long.toUnsignedString(seq));
        }
        return Optional.of(new HeadCheckpoint(seq, Digest.ofBytes(hash)));
    }

    /** The checkpoint's bytes. */
    byte[] encode() {
        return FORMAT.seal(FORMAT.begin(8 + 32).putLong(seq).put(hash.bytes()));
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
        String said = what.startsWith("checksum failed") || what.startsWith("is ") || what.startsWith("names ")
                ? what : "is damaged: " + what;
        return new JournalCorruptedException(0, file.toString(), "the journal's head checkpoint " + said
                + "; run cairn repair");
    }
}
