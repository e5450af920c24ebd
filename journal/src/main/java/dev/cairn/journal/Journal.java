package dev.cairn.journal;

import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * The write-ahead journal: an append-only, gapless, hash-chained sequence of {@link JournalRecord}s
 * (DESIGN.md section 4). Implementations: {@link ChronicleJournal} (durable, on Chronicle Queue) and
 * {@link InMemoryJournal} (for tests of the layers above). Both pass {@code JournalContractTest}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #append} returns only when the record is durable (for the durable implementation: fsynced);
 *   concurrent appenders share one sync (group commit). The returned record is exactly what readers will read.
 *   <li>seq starts at 1 and has no gaps, also when several processes append to the same journal.
 *   <li>Opening verifies every record (checksum, seq, chain). A damaged journal is never skipped silently: the
 *   open fails with {@link dev.cairn.model.JournalCorruptedException} naming the seq and position. A record a
 *   newer Cairn wrote (a newer format version, an unknown event type or key, under a good checksum) is not damage:
 *   {@link dev.cairn.model.FormatTooNewException}, wherever it is read. (An open after a trusted prefix verifies only
 *   what follows it; {@link ChronicleJournal#openReadOnlyAtHead} defers the whole open to the first read.)
 *   <li>Cursors never block appenders and see every record appended before {@code read} returns them, including
 *   those of other processes. {@link #lastSeq} counts only records whose append has made them durable; it may wait
 *   for another process's batch to finish its sync, never longer.
 *   <li>A record holds at most {@link #MAX_RECORD_BYTES}.
 * </ul>
 * Thread-safe.
 */
public interface Journal extends Closeable {

    /**
     * The largest record a journal holds, envelope included: 64 KiB. An event whose record would be larger is refused
     * with {@link dev.cairn.model.RecordTooLargeException} before anything is written, and the journal goes on as if
     * it had never been asked. (For Chronicle: a document may not pass a quarter of its block size, 256 KiB here.)
     */
    int MAX_RECORD_BYTES = 64 << 10;

    /**
     * Appends one record and returns it once it is durable.
     *
     * @throws dev.cairn.model.RecordTooLargeException if its record would pass {@link #MAX_RECORD_BYTES}
     * @throws IOException if the record could not be made durable; the journal then has no such record
     */
    JournalRecord append(Event event, Actor actor) throws IOException;

    /**
     * Appends several records as consecutive seqs with one sync; returns them once all are durable. Other
     * appenders' records never interleave with them. If one is too large, none is appended.
     *
     * @throws dev.cairn.model.RecordTooLargeException if one of their records would pass {@link #MAX_RECORD_BYTES}
     */
    List<JournalRecord> appendAll(List<? extends Event> events, Actor actor) throws IOException;

    /** The seq of the last record this journal knows of (0 when empty); records of other processes included. */
    long lastSeq() throws IOException;

    /**
     * A cursor over the records from {@code fromSeq} on (1 = from the start). It returns what exists now and,
     * when polled again later, what was appended since: that is tailing. Each record read is verified.
     */
    JournalCursor read(long fromSeq) throws IOException;

    /**
     * Reads and checks the whole journal: checksums, seq continuity, hash chain, and anything the
     * implementation keeps beside its files.
     *
     * @return a summary of what was verified
     * @throws dev.cairn.model.JournalCorruptedException at the first damage found
     */
    VerifyReport verify() throws IOException;

    /** Where the records live (a directory), for messages; null for an in-memory journal. */
    java.nio.file.Path location();
}
