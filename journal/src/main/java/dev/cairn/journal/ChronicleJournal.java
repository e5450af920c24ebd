package dev.cairn.journal;

import dev.cairn.io.DurableFiles;
import dev.cairn.model.Actor;
import dev.cairn.model.Digest;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.model.Event;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import net.openhft.chronicle.core.time.TimeProvider;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable {@link Journal}: records in a Chronicle Queue directory, one Chronicle document per record holding
 * the record's encoded bytes (docs/JOURNAL.md).
 *
 * <h2>Durability</h2>
 * {@link #append} returns after the cycle file holding the record has been fsynced (and, when the record opened a
 * new cycle file, the queue's metadata file and the directory too). Appends from all threads of this JVM go
 * through one committer thread, which writes everything pending and then syncs once (group commit).
 *
 * <h2>Several processes</h2>
 * Any number of processes may open the same directory and append. Each batch is written while holding an
 * exclusive {@link FileLock} on {@code <dir>/append.lock}: the committer first reads and verifies the records other
 * processes appended since it last looked, then encodes its own with the following seqs and chain, writes and
 * fsyncs them, and only then releases the lock. So seq stays gapless and the chain unbroken across processes.
 *
 * <h2>Verification</h2>
 * {@link #open} reads and verifies every record (magic, version, CRC-32C, seq continuity, hash chain) and refuses a
 * directory holding a {@code *.discard} file (a cycle file Chronicle set aside). Cursors verify each record they
 * return. Damage is reported as {@link JournalCorruptedException} naming the seq, the Chronicle index (cycle and
 * sequence in hex) and the file. {@link #openAfter} and {@link #openReadOnlyAfter} take a prefix verified before (an
 * index snapshot's seq and hash) as given and verify only the link at its end and the records after it.
 * {@link #verify} always reads from seq 1.
 *
 * <p>A head checkpoint ({@code <dir>/head}, {@link HeadCheckpoint}) remembers the last durable record, so that open
 * also detects a journal that lost its tail (a missing last cycle file), which the queue alone cannot show.
 *
 * <h2>Full disk</h2>
 * Before each batch the space Chronicle will write through its map is reserved ({@link SpaceReservation}); if it
 * cannot be, the batch fails with an {@link IOException} naming the file, nothing is written and the journal stays
 * usable. Without that, a page the file system cannot back kills the JVM with SIGBUS.
 *
 * <p>If an append fails after records may have reached the file (a failed fsync), this journal refuses further
 * appends: close it and open the directory again, which verifies what is there. Only {@link JournalRepair} ever
 * removes records.
 *
 * <h2>Read-only</h2>
 * {@link #openReadOnly} reads and verifies the same way but writes nothing, anywhere: Chronicle maps the files
 * read-only, the append lock is taken shared (so a verification still sees no half-written batch), no checkpoint
 * is written, no committer runs and {@link #append} is refused. It works where the process may not write the
 * directory and on a read-only file system. {@link #openReadOnlyAtHead} is the same without opening the queue until a
 * record must be read, for a reader that holds the prefix the head checkpoint names.
 *
 * <h2>Structure</h2>
 * This class wires the journal's parts together (docs/JOURNAL.md, "Structure"): {@link QueueFiles} (the queue's
 * directory and files), {@link AppendLock}, {@link VerifiedHead} (the verified end, which new records follow),
 * {@link JournalLoader} (the verification at open and in {@link #verify}), {@link GroupCommitter} (the thread that
 * writes and syncs) and {@link ChronicleCursor} (reading).
 *
 * <p>Thread-safe. After {@link #close()} every method throws {@link IOException}.
 */
public final class ChronicleJournal implements Journal, EncodedRecords {

    private final Path dir;
    private final boolean readOnly;
    private final QueueFiles files;
    private final AppendLock appendLock;
    private final VerifiedHead head;
    /** Null for a read-only journal. */
    private final GroupCommitter committer;
    private final OpenReport opened;
    private volatile boolean closed;

    private ChronicleJournal(boolean readOnly, QueueFiles files, AppendLock appendLock, VerifiedHead head,
                             GroupCommitter committer, OpenReport opened) {
        this.opened = opened;
        this.dir = files.dir();
        this.readOnly = readOnly;
        this.files = files;
        this.appendLock = appendLock;
        this.head = head;
        this.committer = committer;
    }

    /**
     * Opens the journal in {@code dir}, creating an empty one if the directory does not exist or holds no records,
     * and verifies every record.
     *
     * @throws JournalCorruptedException if a record fails verification, Chronicle set a cycle file aside, or the
     *                                   journal ends before the record its head checkpoint names
     * @throws IOException                if the directory cannot be created, read or locked, or an interrupted
     *                                   repair left its work beside it
     */
    public static ChronicleJournal open(Path dir) throws IOException {
        return open(dir, null);
    }

    /**
     * Opens an existing journal for reading only and verifies every record as {@link #open(Path)} does, writing
     * nothing (see "Read-only" above). Appends fail with an {@link IOException}.
     *
     * @throws NoSuchFileException if there is no journal in {@code dir}
     */
    public static ChronicleJournal openReadOnly(Path dir) throws IOException {
        return open(dir, null, true);
    }

    /**
     * As {@link #open(Path)}, but taking {@code prefix} as verified when the journal holds it: then only the records
     * after it are read and checked, with the link at the prefix's end (record {@code prefix.seq()} must be where it
     * belongs, sound, and hash to {@code prefix.hash()}) and everything else {@link #open(Path)} checks (docs/JOURNAL.md,
     * "What open verifies"). When it does not hold, the whole journal is verified from seq 1 as by
     * {@link #open(Path)}, and {@link #openReport()} says why the prefix was not taken.
     *
     * @param prefix null to verify from seq 1
     */
    public static ChronicleJournal openAfter(Path dir, TrustedPrefix prefix) throws IOException {
        return open(dir, null, false, HeadListener.NONE, prefix);
    }

    /** {@link #openReadOnly(Path)} taking {@code prefix} as verified when the journal holds it, as {@link #openAfter(Path, TrustedPrefix)}. */
    public static ChronicleJournal openReadOnlyAfter(Path dir, TrustedPrefix prefix) throws IOException {
        return open(dir, null, true, HeadListener.NONE, prefix);
    }

    /**
     * The queue journal behind {@code journal}: itself, or the one a journal from {@link #openReadOnlyAtHead} opens
     * now if it had not yet (for what needs the cycle files themselves: archiving, an archive's checks, the archived
     * prefix). Empty for any other journal.
     */
    public static Optional<ChronicleJournal> behind(Journal journal) throws IOException {
        if (journal instanceof ChronicleJournal c) {
            return Optional.of(c);
        }
        if (journal instanceof HeadFirstJournal h) {
            return Optional.of(h.queue());
        }
        return Optional.empty();
    }

    /**
     * A read-only journal for a reader that holds {@code prefix} already (an index snapshot), when the head checkpoint
     * names exactly that record: it answers {@link Journal#lastSeq()} from the checkpoint and opens the queue (as
     * {@link #openReadOnlyAfter}) only when a record must be read, or the checkpoint moves on (docs/JOURNAL.md, "A
     * read-only open at the head"). Empty when the checkpoint names another record, cannot be read or may lag the
     * queue: then open the journal with {@link #openReadOnlyAfter}.
     */
    public static Optional<Journal> openReadOnlyAtHead(Path dir, TrustedPrefix prefix) {
        return HeadFirstJournal.open(dir, Objects.requireNonNull(prefix, "prefix"));
    }

    /**
     * As {@link #open(Path)}, with Chronicle's clock replaced by {@code time} (null: the system clock). Tests use it
     * to move to the next day's cycle file without waiting; production always runs on the real clock.
     */
    static ChronicleJournal open(Path dir, TimeProvider time) throws IOException {
        return open(dir, time, false, HeadListener.NONE);
    }

    /**
     * As {@link #open(Path)}, telling {@code listener} of every record its head passes (see {@link HeadListener}):
     * the place where something kept beside the journal (a Merkle tree) learns each durable record in order.
     */
    static ChronicleJournal open(Path dir, TimeProvider time, HeadListener listener) throws IOException {
        return open(dir, time, false, listener);
    }

    private static ChronicleJournal open(Path dir, TimeProvider time, boolean readOnly) throws IOException {
        return open(dir, time, readOnly, HeadListener.NONE);
    }

    private static ChronicleJournal open(Path dir, TimeProvider time, boolean readOnly, HeadListener listener)
            throws IOException {
        return open(dir, time, readOnly, listener, null);
    }

    private static ChronicleJournal open(Path dir, TimeProvider time, boolean readOnly, HeadListener listener,
                                         TrustedPrefix prefix) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        Path repairing = QueueFiles.repairingDir(absolute);
        if (Files.exists(repairing)) {
            throw new IOException("an interrupted journal repair left " + repairing + "; run cairn repair again "
                    + "to finish it before opening " + absolute);
        }
        if (readOnly) {
            // Everything the read needs must be there already: a read-only open creates nothing.
            for (Path needed : List.of(absolute, absolute.resolve(AppendLock.FILE),
                    absolute.resolve(QueueFiles.METADATA_FILE))) {
                if (!Files.exists(needed)) {
                    throw new NoSuchFileException(needed.toString(), null, "no journal to open read-only");
                }
            }
        } else {
            boolean created = !Files.isDirectory(absolute);
            Files.createDirectories(absolute);
            if (created && absolute.getParent() != null) {
                DurableFiles.syncDir(absolute.getParent());
            }
        }
        Path real = absolute.toRealPath();
        AppendLock lock = null;
        QueueFiles files = null;
        VerifiedHead head = null;
        GroupCommitter committer = null;
        OpenReport opened;
        try {
            lock = AppendLock.open(real, readOnly);
            // One locked section from the first look at the cycle files to the verified head: another process may
            // be creating a cycle file, and Chronicle reads the last one as the queue is built.
            try (AppendLock.Held held = readOnly ? lock.shared() : lock.exclusive()) {
                files = QueueFiles.open(real, time, readOnly);
                head = new VerifiedHead(files, listener);
                if (!readOnly) {
                    committer = new GroupCommitter(files, lock, head, FileChannel.open(
                            real.resolve(HeadCheckpoint.FILE),
                            StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
                }
                Optional<HeadCheckpoint> checkpoint = HeadCheckpoint.read(real);
                opened = head.load(checkpoint, prefix);
                // Missing, or behind the queue (records whose batch's writer died before the rewrite, or a head
                // that a machine crash left older): a lazy reader trusts the head, so a writer brings it up to date.
                if (committer != null && (checkpoint.isEmpty() || checkpoint.get().seq() != head.lastSeq())) {
                    committer.writeCheckpoint(true);
                }
            }
            if (committer != null) {
                CycleFileSync.syncMetadata(real);
                committer.start();
            }
            return new ChronicleJournal(readOnly, files, lock, head, committer, opened);
        } catch (IOException | RuntimeException | Error e) {
            closeAll(committer, head, files, lock);
            throw e;
        }
    }

    @Override
    public JournalRecord append(Event event, Actor actor) throws IOException {
        return appendAll(List.of(Objects.requireNonNull(event, "event")), actor).get(0);
    }

    @Override
    public List<JournalRecord> appendAll(List<? extends Event> events, Actor actor) throws IOException {
        Objects.requireNonNull(actor, "actor");
        List<Event> copy = List.copyOf(events);
        ensureOpen();
        if (readOnly) {
            throw new IOException("the journal in " + dir + " is open read-only: nothing can be appended");
        }
        if (copy.isEmpty()) {
            committer.ensureUsable();
            return List.of();
        }
        return committer.append(copy, actor);
    }

    /**
     * {@inheritDoc} Only records whose writers have finished their fsync: when the queue shows records past the head,
     * the head catches up under the append lock (shared), so this may wait for another process's batch to be durable
     * (an fsync), never longer. When nothing is new it takes no lock.
     */
    @Override
    public long lastSeq() throws IOException {
        ensureOpen();
        if (head.behind()) {
            try (AppendLock.Held held = appendLock.shared()) {
                ensureOpen();
                head.catchUp();
            }
        }
        return head.lastSeq();
    }

    @Override
    public JournalCursor read(long fromSeq) throws IOException {
        if (fromSeq < 1) {
            throw new IllegalArgumentException("fromSeq must be >= 1, was " + fromSeq);
        }
        ensureOpen();
        return new ChronicleCursor(files, this::ensureOpen, fromSeq);
    }

    @Override
    public VerifyReport verify() throws IOException {
        ensureOpen();
        try (AppendLock.Held held = appendLock.shared();
             RecordTailer tailer = RecordTailer.fromStart(files)) {
            return JournalLoader.verify(files, tailer, HeadCheckpoint.read(dir), null);
        }
    }

    // --- hook for the Merkle tree (dev.cairn.journal.tlog, docs/PROOFS.md): records as their exact bytes -------

    @Override
    public void readEncoded(long fromSeq, long toSeq, EncodedRecords.Sink sink) throws IOException {
        if (fromSeq < 1) {
            throw new IllegalArgumentException("fromSeq must be >= 1, was " + fromSeq);
        }
        ensureOpen();
        try (ChronicleCursor cursor = new ChronicleCursor(files, this::ensureOpen, fromSeq)) {
            for (long seq = fromSeq; seq <= toSeq; seq++) {
                EncodedRecord next = cursor.nextEncoded();
                if (next == null) {
                    throw new java.io.EOFException("the journal in " + dir + " ends at seq " + (seq - 1)
                            + ", before seq " + toSeq);
                }
                sink.accept(seq, next.bytes());
            }
        }
    }

    // --- archiving (docs/JOURNAL.md, "Archiving") ------------------------------------------------------------

    /**
     * What archiving the records before {@code beforeSeq} would take: the whole cycle files, oldest first, whose
     * records all come before it — never the last cycle file, which appends go to.
     *
     * @param firstSeq       the first record they hold (1, or the one after an earlier archive)
     * @param lastSeq        the last: where the archive actually ends, at or before {@code beforeSeq - 1}
     * @param cycleFiles     the files to remove, with any an interrupted earlier cut left behind
     * @param firstKeptCycle the cycle the kept records begin in
     */
    public record ArchivePlan(long firstSeq, long lastSeq, List<Path> cycleFiles, int firstKeptCycle) {
    }

    /** The records archived from this journal so far, if any ({@link ArchivedPrefix}), as on disk now. */
    public Optional<ArchivedPrefix> archivedPrefix() throws IOException {
        ensureOpen();
        return files.archivedPrefix();
    }

    /**
     * What {@code cairn archive --before beforeSeq} would take (see {@link ArchivePlan}); empty when no whole cycle
     * file but the last lies before it.
     */
    public Optional<ArchivePlan> planArchive(long beforeSeq) throws IOException {
        ensureOpen();
        try (AppendLock.Held held = appendLock.shared()) {
            Optional<ArchivedPrefix> prefix = files.archivedPrefix();
            long next = prefix.map(ArchivedPrefix::firstSeq).orElse(1L);
            long first = next;
            int last = files.queue().lastCycle();
            List<Path> taken = new java.util.ArrayList<>();
            int firstKept = Integer.MIN_VALUE;
            for (java.util.Map.Entry<Integer, Long> cycle : files.documentsPerCycle().entrySet()) {
                long end = next + cycle.getValue() - 1;
                if (cycle.getKey() == last || end >= beforeSeq) {
                    firstKept = cycle.getKey();
                    break;
                }
                taken.add(files.cycleFile(cycle.getKey()));
                next = end + 1;
            }
            if (taken.isEmpty() || next == first) {
                return Optional.empty();
            }
            if (prefix.isPresent()) {
                for (Path stale : QueueFiles.cycleFiles(dir)) {
                    if (stale.getFileName().toString().compareTo(taken.get(0).getFileName().toString()) < 0) {
                        taken.add(0, stale);
                    }
                }
            }
            return Optional.of(new ArchivePlan(first, next - 1, List.copyOf(taken), firstKept));
        }
    }

    /**
     * Cuts the records of {@code plan} from this journal, which {@code archive} holds (written and read back by
     * {@link JournalArchive#write}): under the exclusive append lock, checks that the plan still stands (no other
     * archive meanwhile) and that the archive's last record is the journal's, then writes the archived prefix (the
     * moment of the cut), then removes the cycle files and fsyncs the directory. A crash before the prefix is
     * written leaves the journal whole; after it, the files left are ignored and the next cut removes them.
     *
     * @throws IOException if the plan no longer stands or the archive does not end with the journal's record; nothing
     *                     is changed then
     */
    public ArchivedPrefix cutArchived(ArchivePlan plan, JournalArchive.Written archive) throws IOException {
        ensureOpen();
        if (readOnly) {
            throw new IOException("the journal in " + dir + " is open read-only: nothing can be archived");
        }
        JournalArchive.Header h = archive.header();
        if (h.firstSeq() != plan.firstSeq() || h.lastSeq() != plan.lastSeq()) {
            throw new IOException("archive " + archive.file() + " holds seq " + h.firstSeq() + " to " + h.lastSeq()
                    + ", not " + plan.firstSeq() + " to " + plan.lastSeq() + " as planned");
        }
        try (AppendLock.Held held = appendLock.exclusive()) {
            long first = files.archivedPrefix().map(ArchivedPrefix::firstSeq).orElse(1L);
            if (first != plan.firstSeq()) {
                throw new IOException("the journal in " + dir + " begins at seq " + first + " now, not "
                        + plan.firstSeq() + ": another process archived meanwhile; nothing was cut");
            }
            Digest[] last = new Digest[1];
            readEncoded(plan.lastSeq(), plan.lastSeq(), (seq, bytes) -> last[0] = RecordCodec.hash(bytes));
            if (!last[0].equals(h.lastHash())) {
                throw new IOException("archive " + archive.file() + " ends with a record hashing to " + h.lastHash()
                        + " but the journal's record " + plan.lastSeq() + " hashes to " + last[0] + "; nothing was cut");
            }
            ArchivedPrefix prefix = new ArchivedPrefix(plan.lastSeq(), h.lastHash(), plan.firstKeptCycle(),
                    archive.file().toString(), archive.sha256());
            prefix.write(dir);
            FaultPoints.reach(FaultPoints.ARCHIVE_CUT);
            for (Path file : plan.cycleFiles()) {
                Files.deleteIfExists(file);
                FaultPoints.reach(FaultPoints.ARCHIVE_FILE_REMOVED);
            }
            DurableFiles.syncDir(dir);
            return prefix;
        }
    }

    /** What the open verified: from seq 1, or only after a trusted prefix (and why a prefix given was not taken). */
    public OpenReport openReport() {
        return opened;
    }

    /** The head checkpoint as it is on disk now; empty if there is none. For tests and repair. */
    Optional<HeadCheckpoint> headCheckpoint() throws IOException {
        return HeadCheckpoint.read(dir);
    }

    @Override
    public Path location() {
        return dir;
    }

    /**
     * Stops the committer (appends still pending fail with an {@link IOException}), releases the queue, the lock
     * file and all file handles: when it returns, no file of the journal is open or mapped by it. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(committer, head, files, appendLock);
    }

    @Override
    public String toString() {
        return "ChronicleJournal[" + dir + "]";
    }

    /** How many fsyncs of cycle files this journal has made; for tests of group commit. */
    long syncCount() {
        return committer == null ? 0 : committer.syncCount();
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("journal is closed (" + dir + ")");
        }
    }

    private static void closeAll(java.io.Closeable... parts) {
        for (java.io.Closeable part : parts) {
            if (part != null) {
                try {
                    part.close();
                } catch (IOException ignored) {
                    // none of the parts throws: each says why in its own close
                }
            }
        }
    }
}
