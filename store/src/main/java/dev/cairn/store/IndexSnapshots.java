package dev.cairn.store;

import dev.cairn.journal.ChronicleJournal;
import dev.cairn.journal.Journal;
import dev.cairn.journal.TrustedPrefix;
import dev.cairn.model.Digest;
import dev.cairn.projection.IndexSnapshot;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.LiveIndex;
import dev.cairn.projection.SnapshotDirectory;
import dev.cairn.store.internal.StoreLayout;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A store's index snapshots (docs/STORE.md, "Index snapshots"): which one an open starts from, and, for a writable
 * store, writing new ones by its {@link SnapshotPolicy} on a thread of their own — never under the writers' lock —
 * and on close.
 *
 * <p><b>At open</b> ({@link #openJournal}): the newest snapshot that reads whole is taken (each newer one that does
 * not — damaged, truncated, too new — is passed over with a one-line warning); the journal is opened trusting the
 * prefix it names ({@link ChronicleJournal#openAfter}); if the journal does not hold that prefix (it is shorter, or
 * has another record at that seq), the snapshot is ignored with a warning and the index is folded from seq 1. A
 * writable open then removes the snapshots it ignored, except those a newer Cairn wrote; a read-only open removes
 * nothing.
 *
 * <p>Thread-safe.
 */
final class IndexSnapshots implements Closeable {

    /** A journal opened for a store, and the index to follow it from. */
    record Opened(Journal journal, LayerIndex start, Digest startHash) {
    }

    private final SnapshotDirectory dir;
    private final SnapshotPolicy policy;
    private final Consumer<String> warnings;
    private final LiveIndex live;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean writing = new AtomicBoolean();
    /** The seq of the newest snapshot this store started from or wrote. */
    private volatile long coveredSeq;
    private volatile long coveredAtNanos = System.nanoTime();

    private IndexSnapshots(SnapshotDirectory dir, SnapshotPolicy policy, Consumer<String> warnings, LiveIndex live,
                           long coveredSeq) {
        this.dir = dir;
        this.policy = policy;
        this.warnings = warnings;
        this.live = live;
        this.coveredSeq = coveredSeq;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-index-snapshots");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the store's journal, from the newest usable snapshot when there is one (see above).
     *
     * @throws dev.cairn.model.JournalCorruptedException if the journal fails verification (whether a snapshot was
     *                                                   used or not)
     */
    static Opened openJournal(StoreLayout layout, StoreOptions options, boolean writable) throws IOException {
        Path journalDir = layout.journal();
        if (!options.snapshots().enabled()) {
            ChronicleJournal journal = writable ? ChronicleJournal.open(journalDir)
                    : ChronicleJournal.openReadOnly(journalDir);
            refuseWithoutSnapshot(journal, " (snapshots are disabled for this open)");
            return new Opened(journal, LayerIndex.empty(), null);
        }
        SnapshotDirectory dir = new SnapshotDirectory(layout.snapshots());
        SnapshotDirectory.Loaded loaded;
        try {
            loaded = dir.load();
        } catch (IOException e) {
            options.warnings().accept("index snapshots in " + dir.dir() + " cannot be listed (" + e
                    + "); the index is rebuilt from seq 1");
            loaded = new SnapshotDirectory.Loaded(java.util.Optional.empty(), java.util.Optional.empty(), List.of());
        }
        IndexSnapshot snapshot = loaded.snapshot().orElse(null);
        TrustedPrefix prefix = snapshot == null ? null : snapshot.prefix();
        if (!writable && snapshot != null) {
            Optional<Journal> atHead = ChronicleJournal.openReadOnlyAtHead(journalDir, prefix);
            if (atHead.isPresent()) {
                warnRefused(options, loaded, "the one at seq " + snapshot.seq() + " is used instead");
                return new Opened(atHead.get(), snapshot.index(), snapshot.hash());
            }
        }
        ChronicleJournal journal = writable ? ChronicleJournal.openAfter(journalDir, prefix)
                : ChronicleJournal.openReadOnlyAfter(journalDir, prefix);
        List<Path> ignored = new ArrayList<>();
        String instead = snapshot == null ? "the index is rebuilt from seq 1"
                : "the one at seq " + snapshot.seq() + " is used instead";
        if (snapshot != null && journal.openReport().trusted().isEmpty()) {
            instead = "the index is rebuilt from seq 1";
        }
        ignored.addAll(warnRefused(options, loaded, instead));
        if (snapshot != null && journal.openReport().trusted().isEmpty()) {
            Path file = loaded.file().orElseThrow();
            options.warnings().accept("index snapshot " + file + " ignored: it disagrees with the journal ("
                    + journal.openReport().refusal().orElse("?") + "); the index is rebuilt from seq 1");
            ignored.add(file);
            snapshot = null;
        }
        if (writable) {
            for (Path file : ignored) {
                try {
                    dir.remove(file);
                } catch (IOException e) {
                    options.warnings().accept("index snapshot " + file + " could not be removed: " + e);
                }
            }
        }
        if (snapshot == null) {
            refuseWithoutSnapshot(journal, "");
        }
        return snapshot == null ? new Opened(journal, LayerIndex.empty(), null)
                : new Opened(journal, snapshot.index(), snapshot.hash());
    }

    /** Warns of each snapshot the load passed over; returns those this Cairn may remove (not written by a newer one). */
    private static List<Path> warnRefused(StoreOptions options, SnapshotDirectory.Loaded loaded, String instead) {
        List<Path> removable = new ArrayList<>();
        for (SnapshotDirectory.Refused r : loaded.refused()) {
            options.warnings().accept("index snapshot " + r.file() + " ignored (" + r.reason() + "); " + instead);
            if (!r.tooNew()) {
                removable.add(r.file());
            }
        }
        return removable;
    }

    /**
     * The index of a journal that begins after an archived prefix can only start from a snapshot that covers it:
     * without one, the open is refused in one line (the journal is closed).
     */
    private static void refuseWithoutSnapshot(ChronicleJournal journal, String why) throws IOException {
        java.util.Optional<dev.cairn.journal.ArchivedPrefix> archived;
        try {
            archived = journal.archivedPrefix();
        } catch (IOException | RuntimeException e) {
            journal.close();
            throw e;
        }
        if (archived.isPresent()) {
            journal.close();
            throw new IOException("the journal's records before seq " + archived.get().firstSeq() + " are in archive "
                    + archived.get().archive() + ": the index cannot be built without the index snapshot that "
                    + "covers seq " + archived.get().lastSeq() + ", and no usable one does" + why);
        }
    }

    /**
     * Starts writing snapshots of {@code live} by the policy, for a writable store.
     *
     * @param startSeq the seq of the snapshot the store started from, 0 for none
     */
    static IndexSnapshots start(StoreLayout layout, StoreOptions options, LiveIndex live, long startSeq) {
        IndexSnapshots s = new IndexSnapshots(new SnapshotDirectory(layout.snapshots()), options.snapshots(),
                options.warnings(), live, startSeq);
        long period = Math.max(10, Math.min(1000, options.snapshots().every().toMillis()));
        s.thread.scheduleWithFixedDelay(s::tick, period, period, TimeUnit.MILLISECONDS);
        live.onAdvance(s::advanced);
        return s;
    }

    /** Told after the live index moved: a snapshot is due after {@code everyRecords}. */
    private void advanced() {
        if (live.current().seq() - coveredSeq >= policy.everyRecords() && writing.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    try {
                        write();
                    } finally {
                        writing.set(false);
                    }
                });
            } catch (RejectedExecutionException closing) {
                writing.set(false);
            }
        }
    }

    /** On the snapshot thread: a snapshot is due after {@code every} if anything was folded since the last. */
    private void tick() {
        if (live.current().seq() > coveredSeq
                && System.nanoTime() - coveredAtNanos >= policy.every().toNanos()
                && writing.compareAndSet(false, true)) {
            try {
                write();
            } finally {
                writing.set(false);
            }
        }
    }

    /** Writes a snapshot of the live index as it is now, then prunes; a failure is a warning, never an error. */
    private void write() {
        LiveIndex.Folded folded = live.folded();
        if (folded.hash() == null || folded.index().seq() <= coveredSeq) {
            return;
        }
        long seq = folded.index().seq();
        try {
            dir.write(IndexSnapshot.of(folded.index(), folded.hash()));
            dir.prune(policy.keep());
        } catch (IOException | RuntimeException e) {
            warnings.accept("index snapshot at seq " + seq + " not written to " + dir.dir() + ": " + e.getMessage());
        }
        coveredSeq = seq;
        coveredAtNanos = System.nanoTime();
    }

    /**
     * Stops the snapshot thread (waiting for a write under way), then writes a last snapshot on this thread if the
     * policy says so for the index's gain since the newest one in the folder ({@link SnapshotPolicy#writeOnClose}).
     */
    @Override
    public void close() {
        live.onAdvance(() -> { });
        thread.shutdown();
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                warnings.accept("an index snapshot still being written to " + dir.dir() + " was left to finish");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        long newest = coveredSeq;
        try {
            List<Path> files = dir.files();
            if (!files.isEmpty()) {
                newest = Math.max(newest, SnapshotDirectory.seqOf(files.get(0)));
            }
        } catch (IOException e) {
            // judged by what this store wrote
        }
        if (policy.writeOnClose(live.current().seq(), newest)) {
            coveredSeq = newest;
            write();
        }
    }
}
