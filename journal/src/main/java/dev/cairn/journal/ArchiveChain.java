package dev.cairn.journal;

import dev.cairn.io.CorruptFrameException;
import dev.cairn.model.JournalRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Archive files and the live journal as one history (docs/JOURNAL.md, "Archiving"): the archives, in any order, must
 * follow one another with no gap (each one's first record's prev is the hash of the one before's last) and end
 * exactly where the journal's archived prefix does, with its hash — so that the live journal's first kept record
 * follows the last archived one. Stateless.
 */
public final class ArchiveChain {

    private ArchiveChain() {
    }

    /**
     * Reads {@code archives} whole, in seq order, handing every record to {@code sink} (see
     * {@link JournalArchive#read} for what is checked of each), after checking from their headers that they join one
     * another and {@code prefix}.
     *
     * @param fromStart whether the first must begin at seq 1 (a check of the whole history)
     * @return their headers in seq order
     * @throws IOException naming the archive that does not fit, and why
     */
    public static List<JournalArchive.Header> read(List<Path> archives, Optional<ArchivedPrefix> prefix,
                                                   boolean fromStart, EncodedRecords.Sink sink) throws IOException {
        List<Path> ordered = ordered(archives, prefix, fromStart);
        List<JournalArchive.Header> headers = new ArrayList<>();
        for (Path file : ordered) {
            headers.add(JournalArchive.read(file, sink));
        }
        return headers;
    }

    /**
     * A cursor over the records from {@code fromSeq} on: those in the archives, then the journal's. Each archive is
     * checked whole ({@link JournalArchive#verify}) before its first record is returned, then read again record by
     * record: memory stays constant whatever the archive's size, and no record of a damaged archive is returned.
     */
    public static JournalCursor cursor(List<Path> archives, Journal journal, Optional<ArchivedPrefix> prefix,
                                       long fromSeq) throws IOException {
        List<Path> ordered = ordered(archives, prefix, false);
        long first = JournalArchive.header(ordered.get(0)).firstSeq();
        if (fromSeq < first) {
            throw new IOException("record " + fromSeq + " is in none of the archives given: the first of them, "
                    + ordered.get(0) + ", begins at seq " + first + " (give the archives before it too)");
        }
        long liveFrom = prefix.map(ArchivedPrefix::firstSeq).orElse(1L);
        return new JournalCursor() {
            private final Deque<Path> pending = new ArrayDeque<>(ordered);
            private Path file;
            private JournalArchive.Reader archive;
            private JournalCursor live;

            @Override
            public JournalRecord next() throws IOException {
                while (live == null) {
                    if (archive == null) {
                        if (pending.isEmpty()) {
                            live = journal.read(Math.max(fromSeq, liveFrom));
                            break;
                        }
                        file = pending.removeFirst();
                        if (JournalArchive.header(file).lastSeq() < fromSeq) {
                            continue;
                        }
                        JournalArchive.verify(file);
                        archive = JournalArchive.open(file);
                    }
                    for (byte[] bytes = archive.next(); bytes != null; bytes = archive.next()) {
                        long seq = archive.seq();
                        if (seq >= fromSeq) {
                            Path in = file;
                            return RecordCodec.decode(bytes, seq, () -> "archive " + in + ", record " + seq);
                        }
                    }
                    archive.close();
                    archive = null;
                }
                return live.next();
            }

            @Override
            public void close() {
                try {
                    if (archive != null) {
                        archive.close();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("closing archive " + file, e);
                } finally {
                    if (live != null) {
                        live.close();
                    }
                }
            }
        };
    }

    /**
     * {@code journal} with its history read through {@link #cursor} (archived records from {@code archives}); every
     * other call goes to the journal itself. For the time machine (replay, a layer's life) over archived records.
     */
    public static Journal journal(List<Path> archives, ChronicleJournal journal) {
        List<Path> given = List.copyOf(archives);
        return new ForwardingJournal(journal) {
            @Override
            public JournalCursor read(long fromSeq) throws IOException {
                Optional<ArchivedPrefix> prefix = journal.archivedPrefix();
                if (prefix.isEmpty() || fromSeq > prefix.get().lastSeq()) {
                    return journal.read(fromSeq);
                }
                return cursor(given, journal, prefix, fromSeq);
            }

            @Override
            public void close() {
                // the journal belongs to its opener
            }
        };
    }

    /**
     * {@code journal}'s records as their exact bytes, those before its first kept record read from {@code archives}
     * (each read whole and checked at every call that needs it): what a Merkle proof of an archived record reads its
     * bytes through. With no archives, the journal itself.
     */
    public static EncodedRecords records(List<Path> archives, ChronicleJournal journal) {
        if (archives.isEmpty()) {
            return journal;
        }
        return new EncodedRecords() {
            @Override
            public long lastSeq() throws IOException {
                return journal.lastSeq();
            }

            @Override
            public void readEncoded(long fromSeq, long toSeq, Sink sink) throws IOException {
                Optional<ArchivedPrefix> prefix = journal.archivedPrefix();
                long liveFrom = prefix.map(ArchivedPrefix::firstSeq).orElse(1L);
                if (fromSeq < liveFrom && toSeq >= fromSeq) {
                    List<byte[]> wanted = new ArrayList<>();
                    read(archives, prefix, false, (seq, bytes) -> {
                        if (seq >= fromSeq && seq <= toSeq) {
                            wanted.add(bytes);
                        }
                    });
                    for (int i = 0; i < wanted.size(); i++) {
                        sink.accept(fromSeq + i, wanted.get(i));
                    }
                    if (wanted.size() < Math.min(toSeq, liveFrom - 1) - fromSeq + 1) {
                        throw new IOException("record " + (fromSeq + wanted.size()) + " is in none of the archives "
                                + "given (give the archives before them too)");
                    }
                }
                if (toSeq >= liveFrom) {
                    journal.readEncoded(Math.max(fromSeq, liveFrom), toSeq, sink);
                }
            }
        };
    }

    /** The archives in seq order, checked from their headers to join one another and the journal's prefix. */
    private static List<Path> ordered(List<Path> archives, Optional<ArchivedPrefix> prefix, boolean fromStart)
            throws IOException {
        if (archives.isEmpty()) {
            throw new IllegalArgumentException("no archive given");
        }
        List<Path> files = new ArrayList<>();
        List<JournalArchive.Header> headers = new ArrayList<>();
        for (Path file : archives) {
            files.add(file);
            headers.add(JournalArchive.header(file));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(i -> headers.get(i).firstSeq()));
        List<Path> ordered = new ArrayList<>();
        JournalArchive.Header before = null;
        for (int i : order) {
            JournalArchive.Header h = headers.get(i);
            Path file = files.get(i);
            if (before == null && fromStart && (h.firstSeq() != 1 || !h.prevHash().equals(RecordCodec.ZERO_HASH))) {
                throw new CorruptFrameException("archive " + file, "begins at seq " + h.firstSeq() + ": the "
                        + "archives before it are needed too for the whole history from seq 1");
            }
            if (before != null && (h.firstSeq() != before.lastSeq() + 1 || !h.prevHash().equals(before.lastHash()))) {
                throw new CorruptFrameException("archive " + file, h.firstSeq() != before.lastSeq() + 1
                        ? "holds seq " + h.firstSeq() + " to " + h.lastSeq() + ", which does not follow seq "
                        + before.lastSeq() + " of the archive before it"
                        : "does not follow the archive before it: its first record's prev is " + h.prevHash()
                        + ", not " + before.lastHash());
            }
            ordered.add(file);
            before = h;
        }
        long end = prefix.map(ArchivedPrefix::lastSeq).orElse(0L);
        if (before.lastSeq() != end || prefix.isPresent() && !before.lastHash().equals(prefix.get().lastHash())) {
            throw new CorruptFrameException("archive " + ordered.get(ordered.size() - 1), prefix.isEmpty()
                    ? "the journal has no archived records"
                    : before.lastSeq() != end ? "ends at seq " + before.lastSeq() + " but the journal's archived "
                    + "records end at seq " + end + " (" + prefix.get().archive() + ")"
                    : "is not the archive of this journal: its last record hashes to " + before.lastHash()
                    + ", the journal's record " + end + " to " + prefix.get().lastHash());
        }
        return ordered;
    }
}
