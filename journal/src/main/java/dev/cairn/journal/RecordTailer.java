package dev.cairn.journal;

import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reads a journal's Chronicle documents in order as records, each decoded and checked by a {@link ChainCheck}
 * (RecordCodec's checks of the bytes, then seq continuity and the hash chain). A document that fails stays unread: the
 * next call reports the same failure, never what follows it. Used by the verified head, the loader, cursors and
 * repair, each with its own.
 *
 * <p>Not thread-safe: one owner at a time.
 */
final class RecordTailer implements Closeable {

    private final QueueFiles files;
    private final ExcerptTailer tailer;
    private final ChainCheck chain;
    /** The Chronicle index of the last document passed; -1 before the first. */
    private long lastIndex = -1;

    RecordTailer(QueueFiles files, ChainCheck chain) {
        this.files = files;
        this.tailer = files.newTailer();
        this.chain = chain;
    }

    /**
     * A tailer at the journal's first record: seq 1 from the zero hash, or, after an archive, the first kept record
     * following the archived prefix's last hash, in its first kept cycle.
     */
    static RecordTailer fromStart(QueueFiles files) throws IOException {
        java.util.Optional<ArchivedPrefix> prefix = files.archivedPrefix();
        if (prefix.isEmpty()) {
            return new RecordTailer(files, ChainCheck.fromStart());
        }
        RecordTailer t = new RecordTailer(files, ChainCheck.at(prefix.get().firstSeq(), prefix.get().lastHash()));
        t.toJournalStart(prefix.get().firstKeptCycle());
        return t;
    }

    /** Moves to the first document of the journal: the start of the queue, or of {@code firstCycle} if later. */
    private void toJournalStart(int firstCycle) {
        tailer.toStart();
        if (firstCycle != Integer.MIN_VALUE && tailer.cycle() < firstCycle) {
            tailer.moveToIndex(QueueFiles.ROLL_CYCLE.toIndex(firstCycle, 0));
        }
    }

    /** The check of what this tailer has read: the seq and hash the next record must follow. */
    ChainCheck chain() {
        return chain;
    }

    /** The Chronicle index of the last document read or passed; -1 before the first. */
    long lastIndex() {
        return lastIndex;
    }

    /**
     * The next record, checked; null if there is none yet.
     *
     * @throws JournalCorruptedException if the next document is not a sound record following the last one
     * @throws FormatTooNewException     if it is one that a newer Cairn wrote
     */
    EncodedRecord next() throws IOException {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            long index = dc.index();
            try {
                byte[] bytes = bytesOf(dc, index);
                JournalRecord record = chain.accept(bytes, seq -> files.position(index, tailer));
                lastIndex = index;
                return new EncodedRecord(record, bytes);
            } catch (JournalCorruptedException | FormatTooNewException e) {
                dc.rollbackOnClose();
                throw archivedInstead(e);
            }
        } catch (RuntimeException e) {
            throw new JournalCorruptedException(chain.nextSeq(), files.position(tailer.index(), tailer),
                    "Chronicle could not read the document: " + e);
        }
    }

    /**
     * {@code e}, or, when the record this tailer expects was archived meanwhile (its cycle file removed under it by
     * {@code cairn archive} in another process, so that Chronicle moved on to a later one), the one-line refusal
     * saying where that record is now.
     */
    private IOException archivedInstead(IOException e) {
        try {
            java.util.Optional<ArchivedPrefix> prefix = files.archivedPrefix();
            if (prefix.isPresent() && chain.nextSeq() <= prefix.get().lastSeq()) {
                ArchivedRecordsException instead = prefix.get().refusal(chain.nextSeq());
                instead.addSuppressed(e);
                return instead;
            }
        } catch (IOException unreadable) {
            e.addSuppressed(unreadable);
        }
        return e;
    }

    /**
     * The next document's bytes as they are, without any check, passing it; null at the end. For repair, which
     * looks past damage.
     *
     * @throws JournalCorruptedException if Chronicle cannot read the document
     */
    byte[] nextBytes() throws JournalCorruptedException {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            lastIndex = dc.index();
            return bytesOf(dc, lastIndex);
        } catch (RuntimeException e) {
            throw new JournalCorruptedException(0, files.position(tailer.index(), tailer),
                    "Chronicle could not read the document: " + e);
        }
    }

    /** Passes over the next document unread; false if there is none yet. */
    boolean skip() {
        return stepOver() >= 0;
    }

    /**
     * Passes over the next document by its Chronicle header, without copying its bytes or checking them, and
     * returns its length; -1 if there is none yet.
     */
    long stepOver() {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return -1;
            }
            lastIndex = dc.index();
            return dc.wire().bytes().readRemaining();
        }
    }

    /** Whether there is a next document, without passing it. */
    boolean hasNext() {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return false;
            }
            dc.rollbackOnClose();
            return true;
        }
    }

    /**
     * Moves straight to the document after {@code documents} others (record {@code documents + 1}): whole cycles
     * are passed over by their document counts, the rest is one index lookup. When there are no more than
     * {@code documents} documents yet, it moves just past the last one, so that only what is appended from now on
     * is left to pass: the cost does not depend on the journal's length. Where neither is possible the tailer stays
     * at the start.
     *
     * <p>After an archive, {@code documents} still counts from seq 1: the archived records are taken off, and the
     * cycles before the first kept one are not counted.
     *
     * @return how many documents are still to {@link #skip()} to get there: 0 when it is there, or how many are yet
     *         to be appended before it (or as many as it has to pass from the journal's first record)
     * @throws ArchivedRecordsException if record {@code documents + 1} was archived
     */
    long seek(long documents) throws IOException {
        java.util.Optional<ArchivedPrefix> prefix = files.archivedPrefix();
        int firstCycle = Integer.MIN_VALUE;
        if (prefix.isPresent()) {
            if (documents < prefix.get().lastSeq()) {
                throw prefix.get().refusal(documents + 1);
            }
            documents -= prefix.get().lastSeq();
            firstCycle = prefix.get().firstKeptCycle();
            toJournalStart(firstCycle);
        }
        int first = Math.max(files.queue().firstCycle(), firstCycle);
        int last = files.queue().lastCycle();
        if (documents == 0 || last < first) {
            return documents;
        }
        long remaining = documents;
        int lastWithDocuments = -1;
        long inLast = 0;
        for (long cycle : files.queue().listCyclesBetween(first, last)) {
            long count = tailer.excerptsInCycle((int) cycle);
            if (count < 0) {
                continue;
            }
            if (remaining < count) {
                if (tailer.moveToIndex(QueueFiles.ROLL_CYCLE.toIndex((int) cycle, remaining))) {
                    return 0;
                }
                toJournalStart(firstCycle);
                return documents;
            }
            remaining -= count;
            if (count > 0) {
                lastWithDocuments = (int) cycle;
                inLast = count;
            }
        }
        if (lastWithDocuments >= 0
                && tailer.moveToIndex(QueueFiles.ROLL_CYCLE.toIndex(lastWithDocuments, inLast - 1)) && skip()) {
            return remaining;
        }
        toJournalStart(firstCycle);
        return documents;
    }

    private byte[] bytesOf(DocumentContext dc, long index) throws JournalCorruptedException {
        Bytes<?> in = dc.wire().bytes();
        long length = in.readRemaining();
        if (length > Integer.MAX_VALUE - 16) {
            throw new JournalCorruptedException(chain.nextSeq(), files.position(index, tailer),
                    "Chronicle document of " + length + " bytes is larger than any record");
        }
        byte[] bytes = new byte[(int) length];
        in.read(bytes);
        return bytes;
    }

    @Override
    public void close() {
        tailer.close();
    }
}
