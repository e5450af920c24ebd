package dev.cairn.journal;

import dev.cairn.io.CorruptFrameException;
import dev.cairn.io.DurableFiles;
import dev.cairn.io.FrameFormat;
import dev.cairn.io.FrameInputStream;
import dev.cairn.io.FrameOutputStream;
import dev.cairn.model.Digest;
import dev.cairn.model.JournalCorruptedException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * A journal archive file (docs/JOURNAL.md, "Archiving"): records {@code firstSeq} to {@code lastSeq} of a journal,
 * exactly as they were stored, deflate-compressed, in one named {@link FrameFormat} frame
 * {@code cairn-journal-archive} version 1 whose header says what it holds:
 * <pre>
 * frame header   C4 1B 7A 52 | 21 | "cairn-journal-archive" | 00 00 00 01
 * firstSeq (8) | lastSeq (8) | prevHash (32: the hash of record firstSeq - 1, zero for seq 1)
 * lastHash (32: the hash of record lastSeq) | contentSha256 (32: of the uncompressed content)
 * compression (1: 1 = deflate, java.util.zip) | content, compressed
 * frame footer   CRC-32C of every byte before it
 * </pre>
 * The content, uncompressed: per record its length (4 bytes, big-endian) and its bytes. A reader checks the
 * footer, the header, every record (checksum, seq, chain from {@code prevHash}), that the last hashes to
 * {@code lastHash}, and the content's sha256: a flipped bit, a cut file or another file is named in one line.
 *
 * <p>Stateless; thread-safe.
 */
public final class JournalArchive {

    static final FrameFormat FORMAT = FrameFormat.named("cairn-journal-archive", 1, 1);
    private static final int DEFLATE = 1;

    /**
     * What an archive holds.
     *
     * @param firstSeq      its first record
     * @param lastSeq       its last record
     * @param prevHash      the hash of the record before the first (the zero hash for seq 1): the link to older history
     * @param lastHash      the hash of its last record: the link the journal's first kept record follows
     * @param contentSha256 the sha256 of its uncompressed content
     */
    public record Header(long firstSeq, long lastSeq, Digest prevHash, Digest lastHash, Digest contentSha256) {

        /** How many records it holds. */
        public long records() {
            return lastSeq - firstSeq + 1;
        }
    }

    /**
     * An archive file written and read back whole.
     *
     * @param file    where it is
     * @param header  what it holds
     * @param sha256  the sha256 of the file's bytes
     * @param bytes   its size
     */
    public record Written(Path file, Header header, Digest sha256, long bytes) {
    }

    private JournalArchive() {
    }

    /**
     * Writes records {@code firstSeq} to {@code lastSeq} of {@code source} to {@code file}, which must not exist: to a
     * temporary file beside it, fsynced, linked into place, the folder fsynced; then reads it back whole
     * ({@link #read}) before returning. On failure nothing is left at {@code file}.
     *
     * @throws FileAlreadyExistsException if {@code file} exists
     */
    public static Written write(EncodedRecords source, long firstSeq, long lastSeq, Path file) throws IOException {
        if (firstSeq < 1 || lastSeq < firstSeq) {
            throw new IllegalArgumentException("no records to archive: seq " + firstSeq + " to " + lastSeq);
        }
        Path target = file.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "the archive file exists already");
        }
        // Pass 1: what the header says, which must precede the content.
        MessageDigest content = Digest.newSha256();
        Digest[] prev = new Digest[1];
        byte[][] last = new byte[1][];
        source.readEncoded(firstSeq, lastSeq, (seq, bytes) -> {
            if (seq == firstSeq) {
                prev[0] = Digest.ofBytes(Arrays.copyOfRange(bytes, bytes.length - 36, bytes.length - 4));
            }
            content.update(lengthOf(bytes));
            content.update(bytes);
            last[0] = bytes;
        });
        Header header = new Header(firstSeq, lastSeq, prev[0], RecordCodec.hash(last[0]),
                Digest.ofBytes(content.digest()));
        Path dir = target.getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (OutputStream fileOut = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                FrameOutputStream frame = FORMAT.newOutput(new BufferedOutputStream(fileOut, 1 << 16));
                DataOutputStream head = new DataOutputStream(frame);
                head.writeLong(header.firstSeq());
                head.writeLong(header.lastSeq());
                head.write(header.prevHash().bytes());
                head.write(header.lastHash().bytes());
                head.write(header.contentSha256().bytes());
                head.writeByte(DEFLATE);
                Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
                try {
                    DeflaterOutputStream compressed = new DeflaterOutputStream(frame, deflater, 1 << 16);
                    // Pass 2: the content, read again (records are immutable; the header checks this pass too).
                    source.readEncoded(firstSeq, lastSeq, (seq, bytes) -> {
                        compressed.write(lengthOf(bytes));
                        compressed.write(bytes);
                    });
                    compressed.finish();
                } finally {
                    deflater.end();
                }
                frame.finish();
                frame.flush();
            }
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.createLink(target, tmp);
            Files.delete(tmp);
            DurableFiles.syncDir(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
        try {
            Written read = verify(target);
            if (!read.header().equals(header)) {
                throw new CorruptFrameException(target.toString(), "read back as " + read.header() + ", written as "
                        + header);
            }
            return read;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(target);
            DurableFiles.syncDir(dir);
            throw e;
        }
    }

    /**
     * Only the header of {@code file}, checked as far as it goes without reading on (magic, name, version, fields);
     * {@link #read} checks the rest. For putting archives in order before reading them.
     */
    public static Header header(Path file) throws IOException {
        String resource = "archive " + file;
        try (FrameInputStream frame = FORMAT.newInput(new BufferedInputStream(Files.newInputStream(file), 256),
                resource)) {
            return readHeader(new DataInputStream(frame), resource);
        }
    }

    private static Header readHeader(DataInputStream in, String resource) throws IOException {
        Header header;
        int compression;
        try {
            header = new Header(in.readLong(), in.readLong(), digest(in), digest(in), digest(in));
            compression = in.readUnsignedByte();
        } catch (EOFException e) {
            throw new CorruptFrameException(resource, "cut short inside its header (torn write?)");
        }
        if (header.firstSeq() < 1 || header.lastSeq() < header.firstSeq()) {
            throw new CorruptFrameException(resource, "its header names no records (seq " + header.firstSeq()
                    + " to " + header.lastSeq() + ")");
        }
        if (compression != DEFLATE) {
            throw new CorruptFrameException(resource, "unknown compression " + compression);
        }
        return header;
    }

    /** Reads {@code file} whole and checks everything (see the class comment); the records go nowhere. */
    public static Written verify(Path file) throws IOException {
        MessageDigest whole = Digest.newSha256();
        Header header = read(file, whole, null);
        return new Written(file, header, Digest.ofBytes(whole.digest()), Files.size(file));
    }

    /**
     * Reads {@code file}, handing each record to {@code sink} in seq order as it is checked. The last checks (the
     * footer, the content's sha256, the last hash) come after the last record: a sink that acts on records must wait
     * for this to return.
     *
     * @throws CorruptFrameException if the file is not a whole archive (cut, a flipped bit, another file), or a record
     *                               in it is not sound or does not follow the one before
     */
    public static Header read(Path file, EncodedRecords.Sink sink) throws IOException {
        return read(file, null, sink);
    }

    private static Header read(Path file, MessageDigest whole, EncodedRecords.Sink sink) throws IOException {
        try (Reader reader = new Reader(file, whole)) {
            for (byte[] bytes = reader.next(); bytes != null; bytes = reader.next()) {
                if (sink != null) {
                    sink.accept(reader.seq(), bytes);
                }
            }
            return reader.header();
        }
    }

    /**
     * Opens {@code file} to read its records one at a time, in constant memory (for a cursor over an archive of any
     * size). The checks are those of {@link #read}, made as the records go by; the last ones when {@link Reader#next}
     * reaches the end. A caller that must not act on records of a damaged archive checks it with {@link #verify}
     * first.
     */
    public static Reader open(Path file) throws IOException {
        return new Reader(file, null);
    }

    /** The records of one archive, read in order; not thread-safe. */
    public static final class Reader implements AutoCloseable {
        private final String resource;
        private final FrameInputStream frame;
        private final Header header;
        private final MessageDigest content = Digest.newSha256();
        private final ChainCheck chain;
        private final java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        private final DataInputStream records;
        private long seq;
        private boolean ended;

        private Reader(Path file, MessageDigest whole) throws IOException {
            resource = "archive " + file;
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            if (whole != null) {
                raw = new DigestInputStream(raw, whole);
            }
            frame = FORMAT.newInput(raw, resource);
            try {
                header = readHeader(new DataInputStream(frame), resource);
            } catch (IOException | RuntimeException e) {
                frame.close();
                throw e;
            }
            chain = ChainCheck.at(header.firstSeq(), header.prevHash());
            records = new DataInputStream(new InflaterInputStream(frame, inflater, 1 << 16));
            seq = header.firstSeq() - 1;
        }

        /** What the archive's header says it holds. */
        public Header header() {
            return header;
        }

        /** The seq of the record {@link #next} returned last. */
        public long seq() {
            return seq;
        }

        /**
         * The next record's bytes, checked (its checksum, seq and link to the one before); null after the last,
         * once the archive's end is checked too (nothing after the last record, the footer, the last hash, the
         * content's sha256).
         *
         * @throws CorruptFrameException if the archive is damaged at or before this point
         */
        public byte[] next() throws IOException {
            if (ended) {
                return null;
            }
            try {
                if (seq == header.lastSeq()) {
                    end();
                    return null;
                }
                long at = seq + 1;
                int length = records.readInt();
                if (length < 0 || length > Journal.MAX_RECORD_BYTES) {
                    throw new CorruptFrameException(resource, "record " + at + " has a length of " + length);
                }
                byte[] bytes = new byte[length];
                records.readFully(bytes);
                content.update(lengthOf(bytes));
                content.update(bytes);
                chain.accept(bytes, s -> resource + ", record " + at);
                seq = at;
                return bytes;
            } catch (EOFException | ZipException e) {
                throw new CorruptFrameException(resource, "its content is cut short or damaged after seq "
                        + chain.lastSeq() + " (" + e.getMessage() + ")");
            } catch (JournalCorruptedException e) {
                // damage in the archive file, not in the live journal: repair has nothing to cut there
                throw new CorruptFrameException(resource, "record " + e.seq() + ": " + e.reason());
            }
        }

        private void end() throws IOException {
            if (records.read() != -1) {
                throw new CorruptFrameException(resource, "content goes on after record " + header.lastSeq());
            }
            frame.checkFooter();
            if (!chain.lastHash().equals(header.lastHash())) {
                throw new CorruptFrameException(resource, "its last record hashes to " + chain.lastHash()
                        + ", the header says " + header.lastHash());
            }
            Digest sum = Digest.ofBytes(content.digest());
            if (!sum.equals(header.contentSha256())) {
                throw new CorruptFrameException(resource, "its content hashes to " + sum + ", the header says "
                        + header.contentSha256());
            }
            ended = true;
        }

        @Override
        public void close() throws IOException {
            inflater.end();
            frame.close();
        }
    }

    private static Digest digest(DataInputStream in) throws IOException {
        byte[] raw = new byte[32];
        in.readFully(raw);
        return Digest.ofBytes(raw);
    }

    private static byte[] lengthOf(byte[] bytes) {
        int n = bytes.length;
        return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }
}
