package dev.cairn.store;

import dev.cairn.journal.ArchiveChain;
import dev.cairn.journal.ArchivedPrefix;
import dev.cairn.journal.ChronicleJournal;
import dev.cairn.journal.JournalArchive;
import dev.cairn.journal.JournalCursor;
import dev.cairn.journal.tlog.MerkleTree;
import dev.cairn.journal.tlog.TransparencyLog;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.projection.IndexSnapshot;
import dev.cairn.projection.LiveIndex;
import dev.cairn.projection.SnapshotDirectory;
import dev.cairn.store.internal.StoreLayout;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code cairn archive} (docs/JOURNAL.md, "Archiving"): moves the journal's oldest whole cycle files into an archive
 * file, in this order, each step durable before the next:
 * <ol>
 *   <li>plan: the cycle files whose records all come before the seq asked for (never the last);
 *   <li>an index snapshot that covers the last archived record (one is written if none does), so that every open
 *   after the cut can start from it; with snapshots disabled ({@link SnapshotPolicy#NONE}) it refuses;
 *   <li>the archive file ({@link JournalArchive#write}: written, fsynced with its folder, read back whole);
 *   <li>a {@code JournalArchived} record saying what went where, and by whom;
 *   <li>the Merkle tree caught up past the cut, so that proofs of archived records need no archive;
 *   <li>the cut ({@link ChronicleJournal#cutArchived}, under the append lock): the archived prefix, then the files.
 * </ol>
 * A crash before the cut leaves the journal whole; running the same archive again finishes it (the complete file is
 * reused, the record not written twice). Stateless.
 */
final class JournalArchiver {

    private JournalArchiver() {
    }

    /** Beside the journal: held exclusively by the one archive under way, across processes. */
    static final String LOCK_FILE = "archive.lock";
    /** This JVM's side of that lock (a file lock is per process). */
    private static final ReentrantLock JVM_LOCK = new ReentrantLock();

    /**
     * Archives as the class comment says. One archive at a time per store, across processes ({@value #LOCK_FILE}):
     * a second one waits, then plans from where the first left the journal, so no {@code JournalArchived} record
     * is ever written for a cut another archive made impossible. A dry run takes no lock.
     */
    static ArchiveReport archive(StoreLayout layout, StoreOptions options, ChronicleJournal journal, LiveIndex live,
                                 LayerWriter writer, long beforeSeq, Path to, boolean dryRun) throws IOException {
        if (dryRun) {
            return archiveLocked(layout, options, journal, live, writer, beforeSeq, to, true);
        }
        JVM_LOCK.lock();
        try (FileChannel channel = FileChannel.open(layout.journal().resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock held = channel.lock()) {
            return archiveLocked(layout, options, journal, live, writer, beforeSeq, to, false);
        } finally {
            JVM_LOCK.unlock();
        }
    }

    private static ArchiveReport archiveLocked(StoreLayout layout, StoreOptions options, ChronicleJournal journal,
                                               LiveIndex live, LayerWriter writer, long beforeSeq, Path to,
                                               boolean dryRun) throws IOException {
        if (beforeSeq < 2) {
            throw new IllegalArgumentException("--before must be at least 2 (records before it are archived), not "
                    + beforeSeq);
        }
        Path file = to.toAbsolutePath().normalize();
        if (file.startsWith(layout.root())) {
            throw new IOException("archive file " + file + " is inside the store " + layout.root()
                    + ": put it elsewhere (it is what survives losing the store)");
        }
        long first = journal.archivedPrefix().map(p -> p.firstSeq()).orElse(1L);
        ChronicleJournal.ArchivePlan plan = journal.planArchive(beforeSeq).orElseThrow(() -> new IOException(
                "nothing to archive before seq " + beforeSeq + ": no whole cycle file but the last holds only "
                + "records from seq " + first + " to " + (beforeSeq - 1) + " (a cycle file is one UTC day)"));
        if (!options.snapshots().enabled()) {
            throw new IOException("index snapshots are disabled for this store: after the cut no open could build "
                    + "the index (an open after an archive starts from a snapshot); nothing archived");
        }
        Optional<IndexSnapshot> covering = coveringSnapshot(layout, plan.lastSeq());
        Optional<JournalArchive.Written> existing = Files.exists(file) ? Optional.of(resumable(file, plan))
                : Optional.empty();
        long snapshotSeq = covering.map(IndexSnapshot::seq).orElse(live.current().seq());
        if (dryRun) {
            return new ArchiveReport(beforeSeq, plan.firstSeq(), plan.lastSeq(), file, null, 0, plan.cycleFiles(),
                    snapshotSeq, covering.isEmpty(), existing.isPresent(), true);
        }
        if (covering.isEmpty()) {
            live.catchUp();
            LiveIndex.Folded folded = live.folded();
            new SnapshotDirectory(layout.snapshots()).write(IndexSnapshot.of(folded.index(), folded.hash()));
            snapshotSeq = folded.index().seq();
        }
        JournalArchive.Written written = existing.isPresent() ? existing.get()
                : JournalArchive.write(journal, plan.firstSeq(), plan.lastSeq(), file);
        FaultPoints.reach(FaultPoints.ARCHIVE_WRITTEN);
        if (existing.isEmpty() || !journaled(journal, plan, written)) {
            writer.append(new Event.JournalArchived(plan.firstSeq(), plan.lastSeq(), written.header().lastHash(),
                    file.toString(), written.sha256()));
        }
        FaultPoints.reach(FaultPoints.ARCHIVE_JOURNALED);
        try (TransparencyLog tree = TransparencyLog.open(layout.journal(), journal)) {
            tree.catchUp();
        }
        journal.cutArchived(plan, written);
        return new ArchiveReport(beforeSeq, plan.firstSeq(), plan.lastSeq(), file, written.sha256(), written.bytes(),
                plan.cycleFiles(), snapshotSeq, covering.isEmpty(), existing.isPresent(), false);
    }

    /**
     * Checks {@code archives} and the live journal as one history from seq 1 (see {@link LayerStore#verifyArchives}).
     *
     * @throws IOException naming the archive or record that fails
     */
    static ArchiveVerifyReport verify(StoreLayout layout, ChronicleJournal journal, List<Path> archives)
            throws IOException {
        Optional<ArchivedPrefix> prefix = journal.archivedPrefix();
        List<Path> files = archives.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        try (MerkleTree fresh = MerkleTree.inMemory()) {
            List<JournalArchive.Header> headers = ArchiveChain.read(files, prefix, true,
                    (seq, bytes) -> fresh.appendLeaf(bytes));
            long last = journal.lastSeq();
            long archived = headers.get(headers.size() - 1).lastSeq();
            journal.readEncoded(archived + 1, last, (seq, bytes) -> fresh.appendLeaf(bytes));
            Digest root = fresh.rootHash(last);
            Digest treeRoot = null;
            if (Files.exists(layout.journal().resolve(TransparencyLog.TREE_FILE))) {
                try (TransparencyLog tree = TransparencyLog.openReadOnly(layout.journal(), journal)) {
                    treeRoot = tree.rootHash(last);
                }
            }
            return new ArchiveVerifyReport(files, archived, last, root, treeRoot);
        }
    }

    /** The newest index snapshot that loads and covers {@code seq}, if there is one. */
    private static Optional<IndexSnapshot> coveringSnapshot(StoreLayout layout, long seq) throws IOException {
        if (!Files.isDirectory(layout.snapshots())) {
            return Optional.empty();
        }
        return new SnapshotDirectory(layout.snapshots()).load().snapshot().filter(s -> s.seq() >= seq);
    }

    /**
     * An archive file already there, which must be the one an interrupted archive of the same plan completed: it
     * verifies whole and holds exactly the planned records. Anything else is refused.
     */
    private static JournalArchive.Written resumable(Path file, ChronicleJournal.ArchivePlan plan) throws IOException {
        JournalArchive.Written w;
        try {
            w = JournalArchive.verify(file);
        } catch (IOException e) {
            throw new FileAlreadyExistsException(file.toString(), null, "exists and is not a sound archive ("
                    + e.getMessage() + "); give another file");
        }
        if (w.header().firstSeq() != plan.firstSeq() || w.header().lastSeq() != plan.lastSeq()) {
            throw new FileAlreadyExistsException(file.toString(), null, "exists and holds seq "
                    + w.header().firstSeq() + " to " + w.header().lastSeq() + ", not the " + plan.firstSeq() + " to "
                    + plan.lastSeq() + " this archive takes; give another file");
        }
        return w;
    }

    /** Whether a {@code JournalArchived} record of {@code written} follows the planned records already. */
    private static boolean journaled(ChronicleJournal journal, ChronicleJournal.ArchivePlan plan,
                                     JournalArchive.Written written) throws IOException {
        try (JournalCursor cursor = journal.read(plan.lastSeq() + 1)) {
            JournalRecord r;
            while ((r = cursor.next()) != null) {
                if (r.event() instanceof Event.JournalArchived a && a.sha256().equals(written.sha256())
                        && a.lastSeq() == plan.lastSeq()) {
                    return true;
                }
            }
        }
        return false;
    }
}
