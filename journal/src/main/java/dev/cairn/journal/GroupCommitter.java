package dev.cairn.journal;

import dev.cairn.model.Actor;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that writes a journal's records (docs/JOURNAL.md, "Durability" and "Several processes"). Callers
 * write their events' JSON on their own threads ({@link RecordCodec#prepare}), hand them over and wait; the thread
 * takes everything pending (up to {@value #MAX_BATCH_RECORDS} records) as one batch and, under the append lock:
 * <ol>
 *   <li>catches the {@link VerifiedHead} up with what other processes appended;
 *   <li>seals each caller's records with the next seqs and the chain ({@link RecordCodec#seal});
 *   <li>makes sure the disk space the batch will write through Chronicle's map is there ({@link SpaceReservation});
 *   <li>writes the records and fsyncs the cycle files they went to ({@link CycleFileSync}) — one sync for the whole
 *   batch (group commit);
 *   <li>moves the head over them from the bytes it wrote ({@link VerifiedHead#advanceOver}): nothing is read back or
 *   decoded again, and nothing in this costs more on a longer journal;
 *   <li>rewrites the head checkpoint ({@link HeadCheckpoint}) and completes every caller.
 * </ol>
 * If anything fails after a byte may have reached the file, it refuses every later batch: the journal must be opened
 * again, which verifies what is there.
 *
 * <p>Thread-safe: {@link #append} from any thread.
 */
final class GroupCommitter implements Closeable {

    private static final int MAX_BATCH_RECORDS = 4096;
    /**
     * What is reserved beyond a cycle file's current size before a batch: two blocks (Chronicle maps one block
     * ahead plus an overlap) and the space its index needs; the batch's own bytes are added to it.
     */
    private static final long RESERVE_MARGIN = 4 * QueueFiles.BLOCK_SIZE;
    /** The head checkpoint is fsynced at least every this many batches (and whenever a cycle file is new). */
    private static final int HEAD_SYNC_INTERVAL = 64;
    /** Queued by {@link #close()} to wake the thread; carries no events. */
    private static final Request WAKE_UP = new Request(List.of());

    private final QueueFiles files;
    private final Path dir;
    private final AppendLock appendLock;
    private final VerifiedHead head;
    /** The head checkpoint file; written under the append lock. */
    private final FileChannel headChannel;
    private final CycleFileSync sync;
    private final LinkedBlockingQueue<Request> pending = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile IOException failure;
    /** Set by the thread before it fails what is still pending and ends. */
    private volatile boolean stopped;
    /** Batches whose checkpoint was written but not fsynced. Owned by the thread. */
    private int unsyncedHeads;
    /** Owned by the thread. */
    private final SpaceReservation space = new SpaceReservation();

    GroupCommitter(QueueFiles files, AppendLock appendLock, VerifiedHead head, FileChannel headChannel) {
        this.files = files;
        this.dir = files.dir();
        this.appendLock = appendLock;
        this.head = head;
        this.headChannel = headChannel;
        this.sync = new CycleFileSync(dir);
        this.thread = new Thread(this::run, "cairn-journal-committer " + dir.getFileName());
        this.thread.setDaemon(true);
    }

    /** Starts the thread; appends wait for it. */
    void start() {
        thread.start();
    }

    /**
     * Appends {@code events} (not empty) as consecutive records and returns them once durable.
     *
     * @throws IOException if they could not be made durable; see {@link Journal#append}
     */
    List<JournalRecord> append(List<Event> events, Actor actor) throws IOException {
        byte[] actorJson = EventJson.writeBytes(actor);
        List<RecordCodec.Prepared> prepared = new ArrayList<>(events.size());
        for (Event event : events) {
            prepared.add(RecordCodec.prepare(actor, actorJson, Objects.requireNonNull(event, "event")));
        }
        Request request = new Request(prepared);
        ensureUsable();
        pending.add(request);
        if (closed || stopped) {
            request.result.completeExceptionally(closed ? closedException() : failedException());
        }
        try {
            return request.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the journal append to become "
                    + "durable; it may or may not be in the journal (" + dir + ")");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw forCaller(io);
            }
            throw new IOException("journal append failed in " + dir + ": " + cause, cause);
        }
    }

    /**
     * A batch's failure as one of its callers gets it: of the same type — an {@link AccessDeniedException} stays
     * one, and so do the other file-system exceptions, {@link JournalCorruptedException} and
     * {@link FormatTooNewException} — with the same message (which names the file or the journal), this caller's
     * stack trace, and the committer's exception as its cause. A type this cannot make again is given as it is.
     */
    static IOException forCaller(IOException failure) {
        IOException copy;
        if (failure instanceof FormatTooNewException newer) {
            return newer.copy();
        } else if (failure instanceof JournalCorruptedException c) {
            copy = new JournalCorruptedException(c.seq(), c.position(), c.reason());
        } else if (failure instanceof AccessDeniedException f) {
            copy = new AccessDeniedException(f.getFile(), f.getOtherFile(), f.getReason());
        } else if (failure instanceof NoSuchFileException f) {
            copy = new NoSuchFileException(f.getFile(), f.getOtherFile(), f.getReason());
        } else if (failure instanceof FileAlreadyExistsException f) {
            copy = new FileAlreadyExistsException(f.getFile(), f.getOtherFile(), f.getReason());
        } else if (failure.getClass() == FileSystemException.class) {
            FileSystemException f = (FileSystemException) failure;
            copy = new FileSystemException(f.getFile(), f.getOtherFile(), f.getReason());
        } else if (failure.getClass() == IOException.class) {
            copy = new IOException(failure.getMessage());
        } else {
            return failure;
        }
        copy.initCause(failure);
        return copy;
    }

    /** Throws if the journal is closed or refuses appends after a failure. */
    void ensureUsable() throws IOException {
        if (closed) {
            throw closedException();
        }
        if (failure() != null) {
            throw failedException();
        }
    }

    /** Why this refuses appends: its own failure, or the head listener's; null if it does not. */
    private IOException failure() {
        IOException own = failure;
        return own != null ? own : head.listenerFailure();
    }

    /**
     * Writes the head checkpoint from the head as it is, fsyncing it if {@code sync}. Requires the append lock,
     * exclusively; the thread's own calls hold it already.
     */
    void writeCheckpoint(boolean sync) throws IOException {
        new HeadCheckpoint(head.lastSeq(), head.lastHash()).writeTo(headChannel, sync);
    }

    /** How many fsyncs of cycle files this committer has made; for tests of group commit. */
    long syncCount() {
        return sync.count();
    }

    /**
     * Stops the thread; appends still pending fail with an {@link IOException} saying the journal is closed. The
     * head checkpoint file is closed. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pending.add(WAKE_UP);
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        failPending(closedException());
        try {
            headChannel.close();
        } catch (IOException ignored) {
            // every checkpoint written through it was followed by a sync or is covered by the records' own fsync
        }
    }

    // --- the thread ------------------------------------------------------------------------------------------

    /** One caller's records, written contiguously. */
    private static final class Request {
        final List<RecordCodec.Prepared> records;
        final CompletableFuture<List<JournalRecord>> result = new CompletableFuture<>();

        Request(List<RecordCodec.Prepared> records) {
            this.records = records;
        }
    }

    private void run() {
        ExcerptAppender appender = null;
        try {
            appender = files.queue().createAppender();
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
                        records += next.records.size();
                    }
                }
                if (batch.isEmpty()) {
                    continue;
                }
                if (failure() != null) {
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
            sync.close();
            stopped = true;
            failPending(closed ? closedException() : failedException());
        }
    }

    /** Writes one batch under the append lock (see the class comment). Completes every request of the batch. */
    private void commit(ExcerptAppender appender, List<Request> batch) {
        boolean wroteAnything = false;
        try (AppendLock.Held held = appendLock.exclusive()) {
            head.catchUp();
            List<EncodedRecord> sealed = new ArrayList<>();
            long seq = head.lastSeq();
            Digest prev = head.lastHash();
            Instant now = Instant.now();
            for (Request request : batch) {
                for (RecordCodec.Prepared record : request.records) {
                    EncodedRecord next = RecordCodec.seal(++seq, now, record, prev);
                    sealed.add(next);
                    prev = next.record().hash();
                }
            }
            reserveSpace(sealed);
            Set<Path> touched = new LinkedHashSet<>();
            long[] indexes = new long[sealed.size()];
            for (int i = 0; i < sealed.size(); i++) {
                wroteAnything = true;
                appender.writeBytes(Bytes.wrapForRead(sealed.get(i).bytes()));
                indexes[i] = appender.lastIndexAppended();
                touched.add(files.cycleFile(appender.cycle()));
            }
            boolean newFile = sync.sync(touched);
            head.advanceOver(sealed, indexes);
            boolean syncHead = newFile || ++unsyncedHeads >= HEAD_SYNC_INTERVAL;
            writeCheckpoint(syncHead);
            if (syncHead) {
                unsyncedHeads = 0;
            }
            int next = 0;
            for (Request request : batch) {
                List<JournalRecord> mine = new ArrayList<>(request.records.size());
                for (int i = 0; i < request.records.size(); i++) {
                    mine.add(sealed.get(next++).record());
                }
                request.result.complete(List.copyOf(mine));
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
        }
    }

    /**
     * Makes sure the disk space the batch will write through Chronicle's map is there: the current cycle file's size
     * plus the batch and {@link #RESERVE_MARGIN} ({@link SpaceReservation#ensure}, which asks the file system only
     * when that goes past what it reserved before). When the batch will open a new cycle file (a new day), that file
     * does not exist yet, so the file system's free space is checked instead, and that the directory may be written.
     * Nothing is written if this fails, so the journal stays usable once space is freed or access granted.
     */
    private void reserveSpace(List<EncodedRecord> batch) throws IOException {
        long bytes = RESERVE_MARGIN;
        for (EncodedRecord record : batch) {
            bytes += record.bytes().length + 64;
        }
        int last = files.queue().lastCycle();
        if (last < 0 || last != files.queue().cycle()) {
            // Chronicle will create the file: say it cannot here, as the file system would, before a byte is written
            if (!Files.isWritable(dir)) {
                throw new AccessDeniedException(dir.toString(), null, "Permission denied: the journal cannot create "
                        + "its next cycle file here");
            }
            SpaceReservation.requireFree(dir, bytes + RESERVE_MARGIN);
            return;
        }
        Path file = files.cycleFile(last);
        space.ensure(file, Files.size(file) + bytes, RESERVE_MARGIN);
    }

    private IOException closedException() {
        return new IOException("journal is closed (" + dir + ")");
    }

    private IOException failedException() {
        IOException cause = failure();
        return new IOException("journal refuses appends after an earlier failure; reopen it to verify " + dir
                + (cause == null ? "" : ": " + cause.getMessage()), cause);
    }

    private void failPending(IOException e) {
        Request request;
        while ((request = pending.poll()) != null) {
            request.result.completeExceptionally(e);
        }
    }
}
