package dev.cairn.journal;

import dev.cairn.io.CorruptFrameException;
import dev.cairn.io.DurableFiles;
import dev.cairn.io.FrameFormat;
import dev.cairn.model.Digest;
import dev.cairn.model.JournalCorruptedException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The prefix of a journal that was moved to an archive file ({@link JournalArchive}, {@code cairn archive}): records 1
 * to {@code lastSeq}, the last of which hashes to {@code lastHash}, are no longer in the journal's directory; its
 * records begin at {@code lastSeq + 1} in cycle {@code firstKeptCycle}, and the cycle files before that one are not
 * part of it (a crash right after the cut may leave some of them behind; they are ignored, and a writer's next
 * archive removes them).
 *
 * <p>Kept in {@code <journal>/archived}, a named {@link FrameFormat} frame {@code cairn-journal-archived}, version 1,
 * body big-endian: lastSeq (8), lastHash (32 raw bytes), firstKeptCycle (4), archive sha256 (32), archive file name
 * length (2) and name (UTF-8). Written whole to a temporary file, fsynced, renamed over the old one and the directory
 * fsynced ({@link DurableFiles#writeFile}): that rename is the moment of the cut (docs/JOURNAL.md, "Archiving").
 *
 * @param lastSeq         the last archived record, at least 1
 * @param lastHash        its hash: the {@code prev} of the journal's first kept record
 * @param firstKeptCycle  the Chronicle cycle the kept records begin in
 * @param archive         the archive file's name as given to {@code cairn archive} (absolute)
 * @param archiveSha256   the sha256 of that file's bytes
 */
public record ArchivedPrefix(long lastSeq, Digest lastHash, int firstKeptCycle, String archive, Digest archiveSha256) {

    /** The file in the journal directory. */
    public static final String FILE = "archived";
    static final FrameFormat FORMAT = FrameFormat.named("cairn-journal-archived", 1, 1);

    public ArchivedPrefix {
        if (lastSeq < 1) {
            throw new IllegalArgumentException("an archived prefix ends at a seq >= 1, not " + lastSeq);
        }
        Objects.requireNonNull(lastHash, "lastHash");
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(archiveSha256, "archiveSha256");
    }

    /** The seq of the journal's first kept record. */
    public long firstSeq() {
        return lastSeq + 1;
    }

    /** The one-line refusal to read record {@code seq}, which is in the archive: "records before seq N are in ...". */
    public ArchivedRecordsException refusal(long seq) {
        return new ArchivedRecordsException(seq, this);
    }

    /**
     * The archived prefix of the journal in {@code dir}; empty when nothing was archived.
     *
     * @throws JournalCorruptedException if the file is there but damaged
     */
    static Optional<ArchivedPrefix> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        Optional<byte[]> read = DurableFiles.readIfExists(file);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = read.get();
        try {
            ByteBuffer body = FORMAT.read(bytes, file::toString).body();
            long seq = body.getLong();
            byte[] hash = new byte[32];
            body.get(hash);
            int cycle = body.getInt();
            byte[] sha = new byte[32];
            body.get(sha);
            byte[] name = new byte[body.getShort() & 0xFFFF];
            body.get(name);
            if (body.hasRemaining()) {
                throw new CorruptFrameException(file.toString(), body.remaining() + " bytes after the archive's name");
            }
            return Optional.of(new ArchivedPrefix(seq, Digest.ofBytes(hash), cycle,
                    new String(name, StandardCharsets.UTF_8), Digest.ofBytes(sha)));
        } catch (CorruptFrameException | java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new JournalCorruptedException(0, file.toString(), "the record of the archived prefix is damaged ("
                    + e.getMessage() + "); without it the journal's first kept record cannot be placed");
        }
    }

    /** Writes this as {@code dir}'s archived prefix, durably (see the class comment). */
    void write(Path dir) throws IOException {
        byte[] name = archive.getBytes(StandardCharsets.UTF_8);
        if (name.length > 0xFFFF) {
            throw new IOException("archive file name too long (" + name.length + " bytes): " + archive);
        }
        ByteBuffer frame = FORMAT.begin(8 + 32 + 4 + 32 + 2 + name.length)
                .putLong(lastSeq).put(lastHash.bytes()).putInt(firstKeptCycle).put(archiveSha256.bytes())
                .putShort((short) name.length).put(name);
        DurableFiles.writeFile(dir.resolve(FILE), FORMAT.seal(frame), "rw-r--r--", true);
    }
}
