package dev.cairn.journal;

import dev.cairn.model.Actor;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

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
 * sequence in hex) and the file.
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
 * directory and on a read-only file system.
 *
 * <p>Thread-safe. After {@link #close()} every method throws {@link IOException}.
 */
public final class ChronicleJournal implements Journal, EncodedRecords {

    /** The lock file serializing appends of all processes, inside the journal directory. */
    public static final String LOCK_FILE = "append.lock";

    private static final String DISCARD_SUFFIX = ".discard";
    private static final String CYCLE_SUFFIX = ".cq4";
    private static final String METADATA_FILE = "metadata.cq4t";
    private static final RollCycle ROLL_CYCLE = RollCycles.FAST_DAILY;
    private static final int MAX_BATCH_RECORDS = 4096;
    /**
     * Chronicle's mapping unit. Small, so that reserving the space behind the next block before each batch (see
     * {@link SpaceReservation}) costs little; Chronicle's default of 64 MiB would reserve 64 MiB per cycle file.
     */
    static final long BLOCK_SIZE = 256 << 10;
    /**
     * What is reserved beyond a cycle file's current size before a batch: two blocks (Chronicle maps one block
     * ahead plus an overlap) and the space its index needs; the batch's own bytes are added to it.
     */
    private static final long RESERVE_MARGIN = 4 * BLOCK_SIZE;
    /** The head checkpoint is fsynced at least every this many batches (and whenever a cycle file is new). */
    private static final int HEAD_SYNC_INTERVAL = 64;
    /** Beside the journal directory while {@link JournalRepair} builds the repaired journal. */
    static final String REPAIRING_SUFFIX = ".repairing";
    /** What a cycle file's first document starts with: Chronicle's binary-wire field name "header". */
    private static final byte[] STORE_HEADER_NAME = {(byte) 0xB9, 6, 'h', 'e', 'a', 'd', 'e', 'r'};

    /** One lock per journal directory in this JVM: a FileLock must never be requested twice by one JVM. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path dir;
    private final boolean readOnly;
    private final SingleChronicleQueue queue;
    private final ReentrantLock jvmLock;
    private final FileChannel lockChannel;
    /** The head checkpoint file; written under the append lock. */
    private final FileChannel headChannel;
    /** Batches whose checkpoint was written but not fsynced. Owned by the committer thread. */
    private int unsyncedHeads;

    /** Guards {@link #headTailer} and {@link #head}: the verified end of the journal as this object knows it. */
    private final ReentrantLock headLock = new ReentrantLock();
    private final ExcerptTailer headTailer;
    private final ChainCheck head = ChainCheck.fromStart();

    private final LinkedBlockingQueue<Request> pending = new LinkedBlockingQueue<>();
    private final Thread committer;
    private final AtomicLong syncs = new AtomicLong();
    private volatile boolean closed;
    private volatile IOException failure;
    /** Set by the committer before it fails what is still pending and ends. */
    private volatile boolean committerStopped;

    /** Cycle number to cycle file, filled as cycles are met. */
    private final Map<Integer, Path> cycleFiles = new ConcurrentHashMap<>();
    /** Owned by the committer thread. */
    private final Map<Path, FileChannel> syncChannels = new HashMap<>();
    /** Files whose directory entry is known durable. Owned by the committer thread. */
    private final Set<Path> durableEntries = new HashSet<>();

    private ChronicleJournal(Path dir, boolean readOnly, SingleChronicleQueue queue, ReentrantLock jvmLock,
                             FileChannel lockChannel, FileChannel headChannel) {
        this.dir = dir;
        this.readOnly = readOnly;
        this.queue = queue;
        this.jvmLock = jvmLock;
        this.lockChannel = lockChannel;
        this.headChannel = headChannel;
        this.headTailer = newTailer();
        this.committer = new Thread(this::runCommitter, "cairn-journal-committer " + dir.getFileName());
        this.committer.setDaemon(true);
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
     * @throws java.nio.file.NoSuchFileException if there is no journal in {@code dir}
     */
    public static ChronicleJournal openReadOnly(Path dir) throws IOException {
        return open(dir, null, true);
    }

    /**
     * As {@link #open(Path)}, with Chronicle's clock replaced by {@code time} (null: the system clock). Tests use it
     * to move to the next day's cycle file without waiting; production always runs on the real clock.
     */
    static ChronicleJournal open(Path dir, TimeProvider time) throws IOException {
        return open(dir, time, false);
    }

    private static ChronicleJournal open(Path dir, TimeProvider time, boolean readOnly) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        Path repairing = repairingDir(absolute);
        if (Files.exists(repairing)) {
            throw new IOException("an interrupted journal repair left " + repairing + "; run cairn repair again "
                    + "to finish it before opening " + absolute);
        }
        if (readOnly) {
            // Everything the read needs must be there already: a read-only open creates nothing.
            for (Path needed : List.of(absolute, absolute.resolve(LOCK_FILE), absolute.resolve(METADATA_FILE))) {
                if (!Files.exists(needed)) {
                    throw new java.nio.file.NoSuchFileException(needed.toString(), null,
                            "no journal to open read-only");
                }
            }
        } else {
            boolean created = !Files.isDirectory(absolute);
            Files.createDirectories(absolute);
            if (created && absolute.getParent() != null) {
                fsyncDirectory(absolute.getParent());
            }
        }
        Path real = absolute.toRealPath();
        refuseDiscardedFiles(real);
        checkCycleFileHeaders(real);
        SingleChronicleQueue queue = buildQueue(real, time, readOnly);
        FileChannel lockChannel = null;
        FileChannel headChannel = null;
        ChronicleJournal journal = null;
        try {
            Set<StandardOpenOption> access = readOnly ? Set.of(StandardOpenOption.READ)
                    : Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            lockChannel = FileChannel.open(real.resolve(LOCK_FILE), access);
            if (!readOnly || Files.exists(real.resolve(HeadCheckpoint.FILE))) {
                headChannel = FileChannel.open(real.resolve(HeadCheckpoint.FILE), access);
            }
            journal = new ChronicleJournal(real, readOnly, queue,
                    JVM_LOCKS.computeIfAbsent(real, p -> new ReentrantLock()), lockChannel, headChannel);
            journal.verifyFromHead();
            if (!readOnly) {
                journal.fsyncQueueMetadata();
            }
            refuseDiscardedFiles(real);
            if (!readOnly) {
                journal.committer.start();
            }
            return journal;
        } catch (IOException | RuntimeException | Error e) {
            if (journal != null) {
                journal.close();
            } else {
                queue.close();
                for (FileChannel channel : new FileChannel[]{lockChannel, headChannel}) {
                    if (channel != null) {
                        channel.close();
                    }
                }
            }
            throw e;
        }
    }

    /** The Chronicle queue in {@code dir} as this journal configures it. */
    static SingleChronicleQueue buildQueue(Path dir, TimeProvider time) throws IOException {
        return buildQueue(dir, time, false);
    }

    private static SingleChronicleQueue buildQueue(Path dir, TimeProvider time, boolean readOnly)
            throws IOException {
        try {
            SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(dir.toFile())
                    .rollCycle(ROLL_CYCLE)
                    .blockSize(BLOCK_SIZE)
                    .readOnly(readOnly)
                    .checkInterrupts(false);
            if (time != null) {
                builder.timeProvider(time);
            }
            return builder.build();
        } catch (RuntimeException e) {
            throw new IOException("cannot open the journal's Chronicle Queue in " + dir + ": " + e, e);
        }
    }

    /** Where a repair builds the new journal for {@code dir}: {@code <dir>.repairing} beside it. */
    static Path repairingDir(Path dir) {
        return dir.resolveSibling(dir.getFileName() + REPAIRING_SUFFIX);
    }

    @Override
    public JournalRecord append(Event event, Actor actor) throws IOException {
        return appendAll(List.of(Objects.requireNonNull(event, "event")), actor).get(0);
    }

    @Override
    public List<JournalRecord> appendAll(List<? extends Event> events, Actor actor) throws IOException {
        Objects.requireNonNull(actor, "actor");
        List<Event> copy = List.copyOf(events);
        if (copy.isEmpty()) {
            ensureUsable();
            return List.of();
        }
        Request request = new Request(copy, actor);
        ensureUsable();
        if (readOnly) {
            throw new IOException("the journal in " + dir + " is open read-only: nothing can be appended");
        }
        pending.add(request);
        if (closed || committerStopped) {
            request.result.completeExceptionally(closed ? closedException() : failedException());
        }
        try {
            return request.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the journal append to become "
                    + "durable; it may or may not be in the journal (" + dir + ")");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof JournalCorruptedException c) {
                JournalCorruptedException here = new JournalCorruptedException(c.seq(), c.position(), reasonOf(c));
                here.initCause(c);
                throw here;
            }
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            if (cause instanceof IllegalArgumentException iae) {
                throw new IllegalArgumentException(iae.getMessage(), iae);
            }
            throw new IOException("journal append failed in " + dir + ": " + cause, cause);
        }
    }

    @Override
    public long lastSeq() throws IOException {
        ensureOpen();
        headLock.lock();
        try {
            ensureOpen();
            catchUp();
            return head.lastSeq();
        } finally {
            headLock.unlock();
        }
    }

    @Override
    public JournalCursor read(long fromSeq) throws IOException {
        if (fromSeq < 1) {
            throw new IllegalArgumentException("fromSeq must be >= 1, was " + fromSeq);
        }
        ensureOpen();
        return new Cursor(fromSeq);
    }

    @Override
    public VerifyReport verify() throws IOException {
        ensureOpen();
        ChainCheck chain = ChainCheck.fromStart();
        ExcerptTailer tailer = newTailer();
        try {
            verifyAll(tailer, chain, false);
        } finally {
            tailer.close();
        }
        return new VerifyReport(chain.lastSeq(), chain.lastSeq(), chain.lastSeq() == 0 ? null : chain.lastHash());
    }

    // --- hook for the Merkle tree (dev.cairn.journal.tlog, docs/PROOFS.md): records as their exact bytes -------

    @Override
    public void readEncoded(long fromSeq, long toSeq, EncodedRecords.Sink sink) throws IOException {
        if (fromSeq < 1) {
            throw new IllegalArgumentException("fromSeq must be >= 1, was " + fromSeq);
        }
        ensureOpen();
        try (Cursor cursor = new Cursor(fromSeq)) {
            for (long seq = fromSeq; seq <= toSeq; seq++) {
                if (cursor.next() == null) {
                    throw new java.io.EOFException("the journal in " + dir + " ends at seq " + (seq - 1)
                            + ", before seq " + toSeq);
                }
                sink.accept(seq, cursor.chain.lastBytes());
            }
        }
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
        pending.add(WAKE_UP);
        if (committer.isAlive() && committer != Thread.currentThread()) {
            try {
                committer.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        failPending(closedException());
        headLock.lock();
        try {
            headTailer.close();
        } finally {
            headLock.unlock();
        }
        queue.close();
        // Chronicle unmaps and closes its files on a background thread; wait for that, so that after close no file
        // of the journal is open or mapped (a remount, a repair's rename or an unmount may follow at once)
        BackgroundResourceReleaser.releasePendingResources();
        jvmLock.lock();
        try {
            lockChannel.close();
        } catch (IOException ignored) {
            // nothing was written through this channel
        } finally {
            jvmLock.unlock();
        }
        try {
            if (headChannel != null) {
                headChannel.close();
            }
        } catch (IOException ignored) {
            // every checkpoint written through it was followed by a sync or is covered by the records' own fsync
        }
    }

    @Override
    public String toString() {
        return "ChronicleJournal[" + dir + "]";
    }

    /** How many fsyncs of cycle files this journal has made; for tests of group commit. */
    long syncCount() {
        return syncs.get();
    }

    // --- committer -------------------------------------------------------------------------------------------

    /** Queued by {@link #close()} to wake the committer; carries no events. */
    private static final Request WAKE_UP = new Request(List.of(), null);

    /** One caller's events, written contiguously. */
    private static final class Request {
        final List<Event> events;
        final Actor actor;
        final CompletableFuture<List<JournalRecord>> result = new CompletableFuture<>();
        List<byte[]> encoded;

        Request(List<Event> events, Actor actor) {
            this.events = events;
            this.actor = actor;
        }
    }

    private void runCommitter() {
        ExcerptAppender appender = null;
        try {
            appender = queue.createAppender();
            List<Request> batch = new ArrayList<>();
            while (!closed) {
                Request first;
                try {
                    first = pending.take();
                } catch (InterruptedException e) {
                    continue;
                }
                batch.clear();
                int records = 0;
                for (Request next = first; next != null;
                     next = records < MAX_BATCH_RECORDS ? pending.poll() : null) {
                    if (next != WAKE_UP) {
                        batch.add(next);
                        records += next.events.size();
                    }
                }
                if (batch.isEmpty()) {
                    continue;
                }
                if (failure != null) {
                    batch.forEach(r -> r.result.completeExceptionally(failedException()));
                    continue;
                }
                commit(appender, batch);
            }
        } catch (RuntimeException | Error e) {
            failure = new IOException("journal committer stopped in " + dir + ": " + e, e);
        } finally {
            if (appender != null) {
                appender.close();
            }
            for (FileChannel channel : syncChannels.values()) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // read-write handle used only for fsync
                }
            }
            syncChannels.clear();
            committerStopped = true;
            failPending(closed ? closedException() : failedException());
        }
    }

    /**
     * Writes one batch under the append lock: catch up with other processes, encode with the next seqs, write,
     * fsync, read back. Completes every request of the batch.
     */
    private void commit(ExcerptAppender appender, List<Request> batch) {
        List<Request> written = new ArrayList<>(batch.size());
        boolean wroteAnything = false;
        FileLock appendLock = null;
        try {
            appendLock = lockAppends();
            headLock.lock();
            try {
                catchUp();
                long seq = head.lastSeq();
                Digest prev = head.lastHash();
                for (Request request : batch) {
                    try {
                        request.encoded = encode(request, seq, prev);
                    } catch (RuntimeException e) {
                        request.result.completeExceptionally(e);
                        continue;
                    }
                    seq += request.encoded.size();
                    prev = RecordCodec.hash(request.encoded.get(request.encoded.size() - 1));
                    written.add(request);
                }
                reserveSpace(written);
                Set<Path> touched = new LinkedHashSet<>();
                for (Request request : written) {
                    for (byte[] bytes : request.encoded) {
                        wroteAnything = true;
                        appender.writeBytes(Bytes.wrapForRead(bytes));
                        touched.add(currentFile(appender));
                    }
                }
                boolean newFile = fsync(touched);
                List<JournalRecord> readBack = catchUp();
                List<List<JournalRecord>> results = new ArrayList<>(written.size());
                int i = 0;
                for (Request request : written) {
                    List<JournalRecord> mine = new ArrayList<>(request.encoded.size());
                    for (byte[] bytes : request.encoded) {
                        JournalRecord record = readBack.get(i++);
                        if (!record.hash().equals(RecordCodec.hash(bytes))) {
                            throw new IOException("journal record " + record.seq() + " read back differs from the "
                                    + "one written in " + dir);
                        }
                        mine.add(record);
                    }
                    results.add(List.copyOf(mine));
                }
                if (!readBack.isEmpty()) {
                    writeCheckpoint(newFile);
                }
                for (int r = 0; r < written.size(); r++) {
                    written.get(r).result.complete(results.get(r));
                }
            } finally {
                headLock.unlock();
            }
        } catch (IOException | RuntimeException | Error e) {
            IOException failed = e instanceof IOException io ? io
                    : new IOException("journal append failed in " + dir + ": " + e, e);
            if (wroteAnything) {
                failure = failed;
            }
            for (Request request : batch) {
                request.result.completeExceptionally(failed);
            }
        } finally {
            if (appendLock != null) {
                unlockAppends(appendLock);
            }
        }
    }

    /**
     * Takes the append lock: first this JVM's lock for the directory (so no two journals of this JVM ever request
     * the same {@link FileLock}), then the exclusive lock on {@link #LOCK_FILE}, waiting for other processes.
     */
    private FileLock lockAppends() throws IOException {
        jvmLock.lock();
        try {
            return readOnly ? lockChannel.lock(0, Long.MAX_VALUE, true) : lockChannel.lock();
        } catch (IOException | RuntimeException | Error e) {
            jvmLock.unlock();
            throw e;
        }
    }

    private void unlockAppends(FileLock lock) {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel is gone, and with it the lock
        } finally {
            jvmLock.unlock();
        }
    }

    /**
     * Reserves the disk space the batch will write through Chronicle's map: the current cycle file's size plus the
     * batch and {@link #RESERVE_MARGIN}. When the batch will open a new cycle file (a new day), that file does not
     * exist yet, so the file system's free space is checked instead. Nothing is written if this fails, so the
     * journal stays usable once space is freed.
     */
    private void reserveSpace(List<Request> batch) throws IOException {
        long bytes = RESERVE_MARGIN;
        for (Request request : batch) {
            for (byte[] encoded : request.encoded) {
                bytes += encoded.length + 64;
            }
        }
        int last = queue.lastCycle();
        if (last < 0 || last != queue.cycle()) {
            SpaceReservation.requireFree(dir, bytes + RESERVE_MARGIN);
            return;
        }
        Path file = cycleFile(last);
        SpaceReservation.reserve(file, Files.size(file) + bytes);
    }

    /**
     * Writes the head checkpoint (the last record's seq and hash) now that the batch is durable; fsyncs it when the
     * batch made a new cycle file durable (the file whose loss the checkpoint is there to detect) or after
     * {@link #HEAD_SYNC_INTERVAL} batches. Until it is fsynced a machine crash may leave an older checkpoint, which
     * is still true: it only ever names records that were durable. Requires the append lock.
     */
    private void writeCheckpoint(boolean newFile) throws IOException {
        boolean sync = newFile || ++unsyncedHeads >= HEAD_SYNC_INTERVAL;
        new HeadCheckpoint(head.lastSeq(), head.lastHash()).writeTo(headChannel, sync);
        if (sync) {
            unsyncedHeads = 0;
        }
    }

    private static List<byte[]> encode(Request request, long lastSeq, Digest lastHash) {
        List<byte[]> out = new ArrayList<>(request.events.size());
        Digest prev = lastHash;
        long seq = lastSeq;
        Instant now = Instant.now();
        for (Event event : request.events) {
            byte[] bytes = RecordCodec.encode(++seq, now, request.actor, Objects.requireNonNull(event, "event"), prev);
            out.add(bytes);
            prev = RecordCodec.hash(bytes);
        }
        return out;
    }

    private Path currentFile(ExcerptAppender appender) throws IOException {
        return cycleFile(appender.cycle());
    }

    /** The file of a roll cycle, as Chronicle names it; remembered per cycle. */
    private Path cycleFile(int cycle) throws IOException {
        Path known = cycleFiles.get(cycle);
        if (known != null) {
            return known;
        }
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            throw new NoSuchFileException(dir + "/<cycle " + cycle + ">" + CYCLE_SUFFIX, null,
                    "Chronicle has no file for cycle " + cycle);
        }
        try {
            Path file = store.file().toPath();
            cycleFiles.put(cycle, file);
            return file;
        } finally {
            queue.closeStore(store);
        }
    }

    /**
     * Makes the touched cycle files durable: fsync of each (on Linux this writes the file's dirty mapped pages
     * too), and for a file not known durable in the directory, fsync of the queue metadata and the directory.
     *
     * @return whether a file's directory entry was made durable here for the first time
     */
    private boolean fsync(Set<Path> touched) throws IOException {
        boolean newEntry = false;
        for (Path file : touched) {
            FileChannel channel = syncChannels.get(file);
            if (channel == null) {
                if (syncChannels.size() > 4) {
                    for (FileChannel old : syncChannels.values()) {
                        old.close();
                    }
                    syncChannels.clear();
                }
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                syncChannels.put(file, channel);
            }
            channel.force(true);
            syncs.incrementAndGet();
            newEntry |= durableEntries.add(file);
        }
        if (newEntry) {
            fsyncQueueMetadata();
        }
        return newEntry;
    }

    /** fsync of the queue's metadata file and of the directory (new cycle files, the metadata file itself). */
    private void fsyncQueueMetadata() throws IOException {
        Path metadata = dir.resolve(METADATA_FILE);
        if (Files.exists(metadata)) {
            try (FileChannel channel = FileChannel.open(metadata, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }
        fsyncDirectory(dir);
    }

    private static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    // --- verification ----------------------------------------------------------------------------------------

    /** Verifies the whole journal through the head tailer (at open), leaving the head at the end. */
    private void verifyFromHead() throws IOException {
        headLock.lock();
        try {
            verifyAll(headTailer, head, true);
        } finally {
            headLock.unlock();
        }
    }

    /**
     * Reads {@code tailer} from where it is to the end, verifying every record with {@code chain}, then checks
     * what Chronicle cannot see for itself: no {@code *.discard} file, every cycle file starts with a sound header,
     * and each cycle holds exactly as many documents as were read from it (a damaged header in the middle of a
     * file makes Chronicle stop there and hide every record after it), and the journal reaches the record its head
     * checkpoint names, with that record's hash (else it lost its tail). Runs under the append lock, so no other
     * process is writing meanwhile. {@code tailer} and {@code chain} must be at the start.
     *
     * @param writeMissingCheckpoint write the checkpoint if there is none (a journal from before checkpoints)
     */
    private void verifyAll(ExcerptTailer tailer, ChainCheck chain, boolean writeMissingCheckpoint)
            throws IOException {
        refuseDiscardedFiles(dir);
        checkCycleFileHeaders(dir);
        FileLock appendLock = lockAppends();
        try {
            Optional<HeadCheckpoint> checkpoint = HeadCheckpoint.read(dir);
            Map<Integer, Long> readPerCycle = new HashMap<>();
            JournalRecord record;
            while ((record = readNext(tailer, chain,
                    index -> readPerCycle.merge(ROLL_CYCLE.toCycle(index), 1L, Long::sum))) != null) {
                if (checkpoint.isPresent() && record.seq() == checkpoint.get().seq()
                        && !record.hash().equals(checkpoint.get().hash())) {
                    throw new JournalCorruptedException(record.seq(), dir.resolve(HeadCheckpoint.FILE).toString(),
                            "the head checkpoint says record " + record.seq() + " hashes to "
                                    + checkpoint.get().hash() + " but it hashes to " + record.hash()
                                    + " (the journal was replaced by another one?)");
                }
            }
            checkNothingHidden(tailer, readPerCycle, chain);
            if (checkpoint.isPresent() && chain.lastSeq() < checkpoint.get().seq()) {
                throw lostTail(chain.lastSeq(), checkpoint.get().seq());
            }
            if (checkpoint.isEmpty() && writeMissingCheckpoint && !readOnly) {
                new HeadCheckpoint(chain.lastSeq(), chain.lastHash()).writeTo(headChannel, true);
            }
        } finally {
            unlockAppends(appendLock);
        }
        refuseDiscardedFiles(dir);
    }

    private JournalCorruptedException lostTail(long last, long remembered) {
        String lastFile;
        try {
            int cycle = queue.lastCycle();
            lastFile = cycle < 0 ? "no cycle file at all" : "last cycle file " + cycleFile(cycle).getFileName();
        } catch (IOException | RuntimeException e) {
            lastFile = "last cycle file unknown: " + e.getMessage();
        }
        return new JournalCorruptedException(last + 1, "end of the journal in " + dir + ", " + lastFile,
                "the journal ends at seq " + last + " but its head checkpoint (" + HeadCheckpoint.FILE
                        + ") says seq " + remembered + " was durable: records " + (last + 1) + " to " + remembered
                        + " are lost (a missing, truncated or older cycle file)");
    }

    private void checkNothingHidden(ExcerptTailer tailer, Map<Integer, Long> readPerCycle, ChainCheck chain)
            throws IOException {
        int first = queue.firstCycle();
        int last = queue.lastCycle();
        if (last < first) {
            return;
        }
        ExcerptTailer counter = newTailer();
        try {
            for (long cycle : queue.listCyclesBetween(first, last)) {
                checkCycleCount(tailer, counter, (int) cycle, readPerCycle.getOrDefault((int) cycle, 0L), chain);
            }
        } finally {
            counter.close();
        }
    }

    private void checkCycleCount(ExcerptTailer tailer, ExcerptTailer counter, int cycle, long read,
                                 ChainCheck chain) throws JournalCorruptedException {
        long counted = counter.excerptsInCycle(cycle);
        if (counted > read) {
            long index = ROLL_CYCLE.toIndex(cycle, read);
            throw new JournalCorruptedException(chain.nextSeq(), position(index, tailer), "Chronicle counts "
                    + counted + " documents in this cycle file but only " + read + " could be read: a damaged "
                    + "document header hides the records after seq " + chain.lastSeq());
        }
    }

    /**
     * Every cycle file must start with a complete metadata header (Chronicle's store header). Chronicle meets a bad
     * one by waiting for its timeout and then renaming the file {@code *.discard} and starting afresh, losing its
     * records; refusing here keeps the file as it is for repair.
     */
    private static void checkCycleFileHeaders(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + CYCLE_SUFFIX)) {
            for (Path file : files) {
                int word = storeHeaderWord(file);
                if (word != 0 && !soundStoreHeader(file, word)) {
                    throw new JournalCorruptedException(0, file.toString(), String.format("cycle file starts with "
                            + "a bad header (0x%08x); Chronicle would set it aside as *.discard and lose its "
                            + "records", word));
                }
            }
        }
    }

    /** Whether a cycle file starts with a complete store header (an empty file counts as sound). */
    static boolean hasSoundStoreHeader(Path file) throws IOException {
        int word = storeHeaderWord(file);
        return word == 0 || soundStoreHeader(file, word);
    }

    /** The first header word of a cycle file, 0 for an empty file. */
    private static int storeHeaderWord(Path file) throws IOException {
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (header.hasRemaining() && channel.read(header) >= 0) {
                // fill
            }
        }
        return header.position() < 4 ? (header.position() == 0 ? 0 : -1) : header.getInt(0);
    }

    private static boolean soundStoreHeader(Path file, int word) throws IOException {
        boolean metadata = (word & 0x4000_0000) != 0;
        boolean complete = (word & 0x8000_0000) == 0;
        int length = word & 0x3FFF_FFFF;
        java.nio.ByteBuffer name = java.nio.ByteBuffer.allocate(8);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (name.hasRemaining() && channel.read(name, 4 + name.position()) >= 0) {
                // fill
            }
        }
        return metadata && complete && length != 0 && java.util.Arrays.equals(name.array(), STORE_HEADER_NAME);
    }

    // --- reading ---------------------------------------------------------------------------------------------

    /**
     * Reads and verifies the records appended since the head was last advanced (by anyone), advancing it.
     * Requires {@link #headLock}.
     */
    private List<JournalRecord> catchUp() throws IOException {
        List<JournalRecord> out = new ArrayList<>();
        JournalRecord record;
        while ((record = readNext(headTailer, head)) != null) {
            out.add(record);
        }
        return out;
    }

    private ExcerptTailer newTailer() {
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        return tailer;
    }

    /** The next record after the tailer, verified by {@code chain}; null if there is none yet. */
    private JournalRecord readNext(ExcerptTailer tailer, ChainCheck chain) throws IOException {
        return readNext(tailer, chain, null);
    }

    /** As {@link #readNext(ExcerptTailer, ChainCheck)}, telling {@code onIndex} the Chronicle index read. */
    private JournalRecord readNext(ExcerptTailer tailer, ChainCheck chain, java.util.function.LongConsumer onIndex)
            throws IOException {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            long index = dc.index();
            try {
                Bytes<?> in = dc.wire().bytes();
                long length = in.readRemaining();
                if (length > Integer.MAX_VALUE - 16) {
                    throw new JournalCorruptedException(chain.nextSeq(), position(index, tailer),
                            "Chronicle document of " + length + " bytes is larger than any record");
                }
                byte[] bytes = new byte[(int) length];
                in.read(bytes);
                JournalRecord record = chain.accept(bytes, seq -> position(index, tailer));
                if (onIndex != null) {
                    onIndex.accept(index);
                }
                return record;
            } catch (JournalCorruptedException e) {
                // stay on the damaged document: reading again reports the same damage, never what follows it
                dc.rollbackOnClose();
                throw e;
            }
        } catch (RuntimeException e) {
            throw new JournalCorruptedException(chain.nextSeq(), position(tailer.index(), tailer),
                    "Chronicle could not read the document: " + e);
        }
    }

    private String position(long index, ExcerptTailer tailer) {
        int cycle = index > 0 ? ROLL_CYCLE.toCycle(index) : tailer.cycle();
        String file;
        try {
            file = cycleFile(cycle).toString();
        } catch (IOException | RuntimeException e) {
            file = dir + " (cycle file unknown: " + e.getMessage() + ")";
        }
        return String.format("Chronicle index 0x%x = cycle 0x%x sequence 0x%x, file %s", index, cycle,
                ROLL_CYCLE.toSequenceNumber(index), file);
    }

    /** A cursor with its own tailer, positioned lazily at {@code fromSeq}. */
    private final class Cursor implements JournalCursor {
        private final ExcerptTailer tailer = newTailer();
        private final ChainCheck chain;
        /** Documents still to pass over before record {@code fromSeq}. */
        private long toSkip;
        private boolean sought;
        private IOException failed;
        private boolean cursorClosed;

        Cursor(long fromSeq) {
            this.chain = ChainCheck.at(fromSeq, fromSeq == 1 ? RecordCodec.ZERO_HASH : null);
            this.toSkip = fromSeq - 1;
        }

        @Override
        public JournalRecord next() throws IOException {
            if (cursorClosed) {
                throw new IOException("journal cursor is closed (" + dir + ")");
            }
            ensureOpen();
            if (failed != null) {
                throw failed;
            }
            try {
                if (toSkip > 0 && !sought) {
                    sought = true;
                    seek();
                }
                while (toSkip > 0) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) {
                            return null;
                        }
                    }
                    toSkip--;
                }
                return readNext(tailer, chain);
            } catch (IOException e) {
                failed = e;
                throw e;
            } catch (RuntimeException e) {
                ensureOpen();
                throw e;
            }
        }

        /**
         * Moves straight to record {@code fromSeq} when it exists: record N is the (N-1)th document of the queue, so
         * whole cycles are passed over by their document counts and the rest is one index lookup. Leaves the
         * tailer at the start (for a linear skip) when that is not possible; the chain check of the first record
         * read catches any miscount.
         */
        private void seek() {
            int first = queue.firstCycle();
            int last = queue.lastCycle();
            if (last < first) {
                return;
            }
            long remaining = toSkip;
            for (long cycle : queue.listCyclesBetween(first, last)) {
                long count = tailer.excerptsInCycle((int) cycle);
                if (remaining < count) {
                    if (tailer.moveToIndex(ROLL_CYCLE.toIndex((int) cycle, remaining))) {
                        toSkip = 0;
                        return;
                    }
                    break;
                }
                remaining -= count;
            }
            tailer.toStart();
        }

        @Override
        public void close() {
            if (!cursorClosed) {
                cursorClosed = true;
                if (!closed) {
                    tailer.close();
                }
            }
        }
    }

    // --- checks ----------------------------------------------------------------------------------------------

    private static void refuseDiscardedFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + DISCARD_SUFFIX)) {
            for (Path file : files) {
                throw new JournalCorruptedException(0, file.toString(), "Chronicle set this cycle file aside as "
                        + "damaged (bad header) and may have started a new one; records in it are missing from the "
                        + "journal. Restore or repair it, then remove it from " + dir);
            }
        } catch (NoSuchFileException e) {
            throw new IOException("journal directory vanished: " + dir, e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw closedException();
        }
    }

    private void ensureUsable() throws IOException {
        ensureOpen();
        if (failure != null) {
            throw failedException();
        }
    }

    private IOException closedException() {
        return new IOException("journal is closed (" + dir + ")");
    }

    private IOException failedException() {
        IOException cause = failure;
        return new IOException("journal refuses appends after an earlier failure; reopen it to verify " + dir
                + (cause == null ? "" : ": " + cause.getMessage()), cause);
    }

    private void failPending(IOException e) {
        Request request;
        while ((request = pending.poll()) != null) {
            request.result.completeExceptionally(e);
        }
    }

    private static String reasonOf(JournalCorruptedException e) {
        String message = e.getMessage();
        int at = message.indexOf("): ");
        return at < 0 ? message : message.substring(at + 3);
    }
}
