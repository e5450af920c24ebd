package dev.cairn.journal;

import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A read-only journal that answers {@link #lastSeq()} from the head checkpoint ({@code <dir>/head}) while the head
 * is still the end of a prefix verified before (an index snapshot's seq and hash), and opens the queue
 * ({@link ChronicleJournal#openReadOnlyAfter}, with everything that open checks) only when a record must be read:
 * the first {@link #read}, {@link #verify}, or a {@link #lastSeq()} that finds the head moved on. So a query of a
 * store whose snapshot is at the head never starts Chronicle (docs/JOURNAL.md, "A read-only open at the head").
 *
 * <p>It is made only by {@link #open} when the head names exactly the prefix and was written since this machine
 * booted (a head written before a crash of the machine may lag its durable records, see {@link #writtenThisBoot}).
 * It does not look at the cycle files: damage there is found by the first read, by {@code verify}, or by the next
 * full open.
 *
 * <p>Thread-safe: the queue is opened once, under a lock; after {@link #close()} every method throws
 * {@link IOException}.
 */
final class HeadFirstJournal implements Journal {

    private final Path dir;
    private final TrustedPrefix prefix;
    private final Object opening = new Object();
    private volatile ChronicleJournal full;
    private volatile boolean closed;

    private HeadFirstJournal(Path dir, TrustedPrefix prefix) {
        this.dir = dir;
        this.prefix = prefix;
    }

    /**
     * A head-first journal for {@code dir}, or empty when the head does not name {@code prefix} exactly, cannot be
     * read, may lag the queue (written before this boot, or the boot time is unknown), or the directory is not a
     * plain journal a read-only open would take (missing files, an interrupted repair beside it): then the caller
     * opens the journal in full, which says what is wrong if anything is.
     */
    static Optional<Journal> open(Path dir, TrustedPrefix prefix) {
        Path absolute = dir.toAbsolutePath().normalize();
        try {
            // QueueFiles.repairingDir's path, spelled out: calling into QueueFiles would load Chronicle's classes.
            if (Files.exists(absolute.resolveSibling(absolute.getFileName() + QueueFiles.REPAIRING_SUFFIX))) {
                return Optional.empty();
            }
            for (Path needed : List.of(absolute.resolve(AppendLock.FILE), absolute.resolve(QueueFiles.METADATA_FILE),
                    absolute.resolve(HeadCheckpoint.FILE))) {
                if (!Files.isRegularFile(needed)) {
                    return Optional.empty();
                }
            }
            Path real = absolute.toRealPath();
            if (!atPrefix(real, prefix) || !writtenThisBoot(real.resolve(HeadCheckpoint.FILE))) {
                return Optional.empty();
            }
            return Optional.of(new HeadFirstJournal(real, prefix));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the head checkpoint in {@code dir} names exactly the prefix's record. */
    private static boolean atPrefix(Path dir, TrustedPrefix prefix) throws IOException {
        Optional<HeadCheckpoint> head = HeadCheckpoint.read(dir);
        return head.isPresent() && head.get().seq() == prefix.seq() && head.get().hash().equals(prefix.hash());
    }

    /**
     * Whether {@code head} was last written after this machine booted (Linux: {@code btime} of {@code /proc/stat},
     * with a second's margin). The committer rewrites the head after every batch but fsyncs it only every few batches;
     * a process killed keeps what it wrote in the page cache, but a crash of the machine may leave a head older than
     * records whose appends were acknowledged. Such a head was written before the boot, so it is not trusted here.
     * Assumes the wall clock does not go back across a reboot. False where the boot time cannot be read.
     */
    static boolean writtenThisBoot(Path head) throws IOException {
        Path stat = Path.of("/proc/stat");
        if (!Files.isReadable(stat)) {
            return false;
        }
        long bootSeconds = -1;
        for (String line : Files.readAllLines(stat)) {
            if (line.startsWith("btime ")) {
                bootSeconds = Long.parseLong(line.substring(6).trim());
                break;
            }
        }
        return bootSeconds > 0 && Files.getLastModifiedTime(head).toMillis() > (bootSeconds + 1) * 1000;
    }

    @Override
    public JournalRecord append(Event event, Actor actor) throws IOException {
        return appendAll(List.of(event), actor).get(0);
    }

    @Override
    public List<JournalRecord> appendAll(List<? extends Event> events, Actor actor) throws IOException {
        ensureOpen();
        throw new IOException("the journal in " + dir + " is open read-only: nothing can be appended");
    }

    /**
     * The prefix's seq while the head checkpoint still names it; once it does not (another process appended, or the
     * checkpoint cannot be read), the queue is opened and answers from then on.
     */
    @Override
    public long lastSeq() throws IOException {
        ensureOpen();
        ChronicleJournal opened = full;
        if (opened == null) {
            try {
                if (atPrefix(dir, prefix)) {
                    return prefix.seq();
                }
            } catch (IOException | RuntimeException e) {
                // a checkpoint read while a writer rewrites it, or damaged: the full open below decides
            }
            opened = queue();
        }
        return opened.lastSeq();
    }

    @Override
    public JournalCursor read(long fromSeq) throws IOException {
        if (fromSeq < 1) {
            throw new IllegalArgumentException("fromSeq must be >= 1, was " + fromSeq);
        }
        return queue().read(fromSeq);
    }

    @Override
    public VerifyReport verify() throws IOException {
        return queue().verify();
    }

    @Override
    public Path location() {
        return dir;
    }

    /** Whether the queue has been opened; for tests. */
    boolean queueOpened() {
        return full != null;
    }

    /**
     * The queue, opened read-only after the prefix on first use. If the journal no longer holds the prefix (it was
     * repaired or replaced since), what was answered from it does not stand: refused, naming the journal.
     */
    ChronicleJournal queue() throws IOException {
        ensureOpen();
        ChronicleJournal opened = full;
        if (opened != null) {
            return opened;
        }
        synchronized (opening) {
            ensureOpen();
            if (full == null) {
                ChronicleJournal journal = ChronicleJournal.openReadOnlyAfter(dir, prefix);
                if (journal.openReport().trusted().isEmpty()) {
                    journal.close();
                    throw new JournalCorruptedException(prefix.seq(), dir.toString(), "the journal no longer holds "
                            + "record " + prefix.seq() + " as the index this store was opened from has it ("
                            + journal.openReport().refusal().orElse("?") + "); open the store again");
                }
                full = journal;
            }
            return full;
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("journal is closed (" + dir + ")");
        }
    }

    /** Closes the queue if it was opened. Idempotent. */
    @Override
    public void close() {
        synchronized (opening) {
            closed = true;
            if (full != null) {
                full.close();
            }
        }
    }

    @Override
    public String toString() {
        return "HeadFirstJournal[" + dir + "]";
    }
}
