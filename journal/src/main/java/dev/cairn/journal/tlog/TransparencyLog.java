package dev.cairn.journal.tlog;

import dev.cairn.model.FormatTooNewException;
import dev.cairn.journal.DurabilityListener;
import dev.cairn.journal.EncodedRecords;
import dev.cairn.model.Digest;
import dev.cairn.model.HistoryRewrittenException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A journal as a transparency log (docs/PROOFS.md): the RFC 6962 Merkle tree over its records' exact bytes, kept
 * beside it in {@code <journal>/merkle} ({@link TreeFile}), signed C2SP checkpoints of it, and proofs against them.
 *
 * <h2>Derived data</h2>
 * The tree is never a second truth: the journal is. Every leaf is computed from a record's bytes as the journal
 * holds them ({@link EncodedRecords}), and the tree is checked against the journal whenever it is brought up to
 * date: the record at the tree's last leaf must hash to that leaf (and, by the hash chain, so must every record
 * before it). A tree that disagrees — built from a history the journal no longer has, because records were edited,
 * removed, reordered or cut off, or the journal was repaired or restored — is moved aside as
 * {@code merkle.diverged-<UTC time>} (kept as evidence: it names the first record that differs when an earlier
 * checkpoint is checked) and built again from the journal; a tree file that fails its checksums is dropped and
 * built again. Each such event is reported in {@link #notices()}. A tree file written by a newer Cairn is never
 * touched ({@link FormatTooNewException}).
 *
 * <h2>Keeping up</h2>
 * {@link #recordsDurable} ({@link DurabilityListener}) is the hook for the journal's committer: "these records
 * became durable, in seq order".
 * It appends their leaves (one leaf hash per record and a node hash per completed subtree, then one write), never
 * rescans, never throws, and never makes an append wait long: if the tree's lock is taken by another process or the
 * tree lags by more than {@value #MAX_HOOK_CATCH_UP} records, it leaves the tree as it is. {@link #catchUp} brings
 * a lagging tree up to the journal's head (another process appended without the hook, the tree file was lost or is
 * older); every operation that needs the head calls it.
 *
 * <h2>Several processes</h2>
 * Writers of the tree file take {@code <journal>/merkle.lock} (and, in this JVM, a lock per file), then take in
 * what others appended. A read-only log ({@link #openReadOnly}) takes no lock and writes nothing anywhere: what it
 * has to add to a lagging tree stays in memory. Readers of the file need no lock: it only grows, and it is replaced
 * (never rewritten in place) when it is rebuilt. Every proof is checked against its root before it is handed out.
 *
 * <h2>Checkpoints</h2>
 * {@link #checkpoint} signs the head with the store's {@link CheckpointKey} and refuses to sign anything that
 * contradicts the last checkpoint that key signed (C2SP tlog-checkpoint: a log must never sign two inconsistent
 * checkpoints), which is what happens after a repair cut records the key had signed.
 *
 * <p>Thread-safe: one thread at a time works on the tree (the lock is per tree file in this JVM, so two logs of
 * one journal share it); the hook only ever tries that lock.
 */
public final class TransparencyLog implements DurabilityListener, Closeable {

    /** The tree file's name inside the journal directory. */
    public static final String TREE_FILE = "merkle";
    /** The writers' lock of the tree file, inside the journal directory. */
    public static final String LOCK_FILE = "merkle.lock";
    /** A tree file that disagreed with the journal is kept under its name plus this and a UTC time. */
    public static final String DIVERGED_SUFFIX = ".diverged-";
    /** The hook catches up at most this many records that reached the journal without it; more wait for catchUp. */
    public static final int MAX_HOOK_CATCH_UP = 4096;
    /** The name {@code JournalRepair} keeps a damaged journal directory under is the journal's plus this and a time. */
    private static final String DAMAGED_JOURNAL_SUFFIX = ".damaged-";
    private static final long FLUSH_EVERY = 1 << 16;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path dir;
    private final Path file;
    private final EncodedRecords journal;
    private final boolean readOnly;
    /** Guards everything below; for a writable log it is this JVM's lock of the tree file. */
    private final ReentrantLock lock;
    private final FileChannel lockChannel;
    private final List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Null after a failure: opened again at the next use. */
    private MerkleTree tree;
    /**
     * Whether the tree, as opened, was checked against the journal. Only then may the hook append leaves without
     * reading the journal: the check at the last leaf vouches for every leaf before it only if each was appended to
     * a checked tree.
     */
    private boolean checked;
    private volatile boolean closed;

    private TransparencyLog(Path dir, EncodedRecords journal, boolean readOnly, FileChannel lockChannel) {
        this.dir = dir;
        this.file = dir.resolve(TREE_FILE);
        this.journal = journal;
        this.readOnly = readOnly;
        this.lockChannel = lockChannel;
        this.lock = readOnly ? new ReentrantLock() : JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
    }

    /**
     * Opens the tree of the journal in {@code journalDir} for keeping it up to date, creating the tree file if
     * there is none; checks it against the journal (moving it aside if it disagrees). Does not catch up.
     *
     * @param journal the journal in {@code journalDir}, open
     * @throws FormatTooNewException if the tree file was written by a newer Cairn
     */
    public static TransparencyLog open(Path journalDir, EncodedRecords journal) throws IOException {
        Path dir = journalDir.toAbsolutePath().normalize();
        FileChannel lock = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        return checkedAtOpen(new TransparencyLog(dir, journal, false, lock));
    }

    /**
     * Opens the tree of the journal in {@code journalDir} for reading only: nothing is written, no lock is taken; a
     * missing, damaged or disagreeing tree file is built again in memory.
     *
     * @throws FormatTooNewException if the tree file was written by a newer Cairn
     */
    public static TransparencyLog openReadOnly(Path journalDir, EncodedRecords journal) throws IOException {
        return checkedAtOpen(new TransparencyLog(journalDir.toAbsolutePath().normalize(), journal, true, null));
    }

    /** Opens the tree and checks it against the journal's record at its last leaf; closes the log on failure. */
    private static TransparencyLog checkedAtOpen(TransparencyLog log) throws IOException {
        try {
            log.locked(() -> log.check(0, true));
            return log;
        } catch (IOException | RuntimeException e) {
            try {
                log.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    // --- keeping up ---------------------------------------------------------------------------------------------

    /**
     * The committer's hook: records {@code firstSeq}, {@code firstSeq + 1}, ... with these exact bytes are durable
     * in the journal. Appends their leaves if the tree is right behind them (catching up first on at most
     * {@value #MAX_HOOK_CATCH_UP} records the journal has before {@code firstSeq}). Never throws: the records are
     * durable whatever happens to the tree, and anything that goes wrong here (reported in {@link #notices()}) is
     * repaired by the next {@link #catchUp}. Call it in seq order, after the records are durable, from any thread;
     * it waits for no other process.
     */
    @Override
    public void recordsDurable(long firstSeq, List<byte[]> records) {
        if (closed || readOnly || records.isEmpty()) {
            return;
        }
        if (!lock.tryLock()) {
            return;
        }
        FileLock fileLock = null;
        try {
            fileLock = closed ? null : lockChannel.tryLock();
            if (fileLock == null) {
                return;
            }
            refresh();
            long size = tree.size();
            long last = firstSeq + records.size() - 1;
            if (last <= size || firstSeq - 1 - size > MAX_HOOK_CATCH_UP) {
                return;
            }
            if (!checked || size < firstSeq - 1 || size >= firstSeq) {
                // not checked since it was opened, behind (records reached the journal without the hook) or partly
                // there already (another process caught up): take them from the journal; a tree that disagrees
                // waits for catchUp
                if (!check(last, false)) {
                    notice("the Merkle tree disagrees with the journal; the next catch-up builds it again");
                    return;
                }
            } else {
                for (byte[] record : records) {
                    tree.appendLeaf(record);
                }
            }
            tree.flush();
        } catch (IOException | RuntimeException e) {
            failed("the Merkle tree could not take records " + firstSeq + " to "
                    + (firstSeq + records.size() - 1) + " (" + e.getMessage() + "); it will catch up later", e);
        } finally {
            if (fileLock != null) {
                try {
                    fileLock.release();
                } catch (IOException ignored) {
                    // the channel is gone, and with it the lock
                }
            }
            lock.unlock();
        }
    }

    /**
     * Brings the tree up to the journal's last record, checking it against the journal on the way.
     *
     * @return the tree's size, the journal's last seq
     */
    public long catchUp() throws IOException {
        return locked(() -> {
            check(journal.lastSeq(), true);
            tree.flush();
            return tree.size();
        });
    }

    /** How many records the tree has (without catching up). */
    public long size() throws IOException {
        return locked(() -> tree.size());
    }

    /** What happened to the tree file that a caller may want to tell someone: rebuilds and their reasons. */
    public List<String> notices() {
        return List.copyOf(notices);
    }

    // --- queries ------------------------------------------------------------------------------------------------

    /** The root of the tree of the first {@code treeSize} records, catching up if the tree is shorter. */
    public Digest rootHash(long treeSize) throws IOException {
        return locked(() -> {
            ensureSize(treeSize);
            return tree.rootHash(treeSize);
        });
    }

    /** The leaf hash of record {@code seq}: {@code SHA-256(0x00 || the record's bytes)}. */
    public Digest leafHash(long seq) throws IOException {
        return locked(() -> {
            ensureSize(seq);
            return tree.leafHash(seq - 1);
        });
    }

    /**
     * The inclusion proof of record {@code seq} in the tree of the first {@code treeSize} records, checked against
     * that tree's root.
     *
     * @throws IllegalArgumentException if {@code seq} is not in 1..treeSize or the journal is shorter
     */
    public InclusionProof inclusionProof(long seq, long treeSize) throws IOException {
        return locked(() -> {
            ensureSize(treeSize);
            InclusionProof proof = tree.inclusionProof(seq - 1, treeSize);
            proof.verify(tree.leafHash(seq - 1), tree.rootHash(treeSize));
            return proof;
        });
    }

    /** The consistency proof from the tree of {@code size1} records to that of {@code size2}, checked. */
    public ConsistencyProof consistencyProof(long size1, long size2) throws IOException {
        return locked(() -> {
            ensureSize(size2);
            ConsistencyProof proof = tree.consistencyProof(size1, size2);
            proof.verify(tree.rootHash(size1), tree.rootHash(size2));
            return proof;
        });
    }

    /**
     * Proves that the journal today extends {@code kept}: its first {@code kept.size()} records are exactly those
     * the checkpoint's root covers. The caller has checked the checkpoint's signature ({@link SignedCheckpoint}).
     *
     * @return the journal's size and root, and the consistency proof, checked against both roots
     * @throws HistoryRewrittenException if the journal does not extend it; naming the first record that differs
     *                                   when an earlier tree of the checkpointed history is at hand (one kept as
     *                                   {@code merkle.diverged-*}, or in a journal a repair set aside)
     */
    public ConsistencyCheck proveExtends(Checkpoint kept) throws IOException {
        return locked(() -> {
            check(journal.lastSeq(), true);
            tree.flush();
            long size = tree.size();
            requireExtends(kept, size, "the journal");
            Digest root = tree.rootHash(size);
            if (kept.size() == 0) {
                return new ConsistencyCheck(kept, size, root, null);
            }
            ConsistencyProof proof = tree.consistencyProof(kept.size(), size);
            proof.verify(kept.rootHash(), root);
            return new ConsistencyCheck(kept, size, root, proof);
        });
    }

    /**
     * A self-contained proof that record {@code seq} is in the checkpoint {@code against}: the record's bytes, its
     * inclusion proof in the checkpoint's tree, and the checkpoint's note (C2SP tlog-proof), checked.
     *
     * @throws IllegalArgumentException  if the checkpoint does not cover {@code seq}
     * @throws HistoryRewrittenException if the journal no longer extends the checkpoint
     */
    public TlogProof tlogProof(long seq, SignedCheckpoint against) throws IOException {
        Checkpoint c = against.checkpoint();
        if (seq < 1 || seq > c.size()) {
            throw new IllegalArgumentException("record " + seq + " is not in the checkpoint, which covers seq 1 to "
                    + c.size());
        }
        return locked(() -> {
            check(journal.lastSeq(), true);
            tree.flush();
            requireExtends(c, tree.size(), "the journal");
            byte[][] record = new byte[1][];
            journal.readEncoded(seq, seq, (s, bytes) -> record[0] = bytes);
            InclusionProof proof = tree.inclusionProof(seq - 1, c.size());
            proof.verifyLeaf(record[0], c.rootHash());
            return new TlogProof(record[0], seq - 1, proof.path(), against.note());
        });
    }

    /**
     * Signs a checkpoint of the journal's head with {@code key}, after catching up. Holds the key's lock, so
     * checkpoints of one key are signed one at a time across processes, and records each one before returning it.
     *
     * @throws HistoryRewrittenException if the journal does not extend the last checkpoint this key signed: signing
     *                                   would make the log contradict itself, so nothing is signed. The way on is a
     *                                   new key, that is a new log identity, which its auditors must be told of.
     */
    public SignedCheckpoint checkpoint(CheckpointKey key) throws IOException {
        try (CheckpointKey.Signing signing = key.beginSigning()) {
            Checkpoint head = locked(() -> {
                check(journal.lastSeq(), true);
                tree.sync();
                long size = tree.size();
                if (signing.lastSigned().isPresent()) {
                    requireExtends(signing.lastSigned().get(), size, "refusing to sign: the journal");
                }
                return new Checkpoint(key.origin(), size, tree.rootHash(size));
            });
            return new SignedCheckpoint(head, signing.sign(head));
        }
    }

    /**
     * Checks every hash of the tree file against the journal: builds the tree again, in memory, from every record,
     * and compares each stored hash. A tree that differs is dropped and built again (see {@link #notices()}).
     *
     * @return how many records were checked: the journal's last seq
     */
    public long verify() throws IOException {
        return locked(() -> {
            check(journal.lastSeq(), true);
            tree.flush();
            long size = tree.size();
            MerkleTree fresh = MerkleTree.inMemory();
            journal.readEncoded(1, size, (seq, bytes) -> fresh.appendLeaf(bytes));
            long entries = TreeFile.entriesFor(size);
            for (int level = 0; level < 64 && (1L << level) <= size; level++) {
                for (long index = 0; ((index + 1) << level) <= size; index++) {
                    long at = TreeFile.position(level, index);
                    if (!java.util.Arrays.equals(fresh.node(at), tree.node(at))) {
                        rebuild("its hash at level " + level + ", index " + index + " (entry " + at + " of "
                                + entries + ") is not the one the journal's records give", false);
                        return size;
                    }
                }
            }
            return size;
        });
    }

    /** Flushes and fsyncs the tree file, releases it. Idempotent. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                if (tree != null && !readOnly) {
                    locked(() -> {
                        tree.sync();
                        return null;
                    });
                }
            } finally {
                closed = true;
                try {
                    if (tree != null) {
                        tree.close();
                        tree = null;
                    }
                } finally {
                    if (lockChannel != null) {
                        lockChannel.close();
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // --- internals ----------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Step<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code step} holding the tree's lock (and, writing, the tree file's lock across processes), with the tree
     * open and up to date with its file. Not reentrant.
     */
    private <T> T locked(Step<T> step) throws IOException {
        lock.lock();
        FileLock fileLock = null;
        try {
            if (closed) {
                throw new IOException("the transparency log of " + dir + " is closed");
            }
            if (!readOnly) {
                fileLock = lockChannel.lock();
            }
            refresh();
            try {
                return step.run();
            } catch (TreeDamagedException e) {
                rebuild(e.getMessage(), false);
                return step.run();
            }
        } catch (IOException | RuntimeException e) {
            dropOnFailure(e);
            throw e;
        } finally {
            try {
                if (fileLock != null) {
                    fileLock.release();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Opens the tree if it is not, or again if its file was replaced; takes in what others appended. */
    private void refresh() throws IOException {
        if (tree != null && tree.refresh()) {
            return;
        }
        if (tree != null) {
            tree.close();
            tree = null;
        }
        checked = false;
        try {
            tree = readOnly ? MerkleTree.openReadOnly(file) : MerkleTree.open(file);
        } catch (TreeDamagedException e) {
            notice(e.getMessage() + "; building it again from the journal");
            if (!readOnly) {
                Files.deleteIfExists(file);
            }
            tree = readOnly ? MerkleTree.inMemory() : MerkleTree.open(file);
        }
    }

    /**
     * Brings the tree to {@code upTo} records (at most the journal's), checking that it agrees with the journal: the
     * records are read from the one at the tree's last leaf on, which must hash to that leaf, so the journal's own
     * chain check links every new record to it. A tree that disagrees, or is longer than the journal, is moved aside
     * and built again, if {@code mayRebuild}.
     *
     * @return false if the tree disagrees and was left as it is because {@code mayRebuild} is false
     */
    private boolean check(long upTo, boolean mayRebuild) throws IOException {
        long size = tree.size();
        long last = journal.lastSeq();
        if (size > last) {
            if (!mayRebuild) {
                return false;
            }
            long common = commonPrefix(last);
            rebuild("has " + size + " records but the journal only " + last + " (history from seq " + (common + 1)
                    + " on differs or is gone)", true);
            return check(upTo, true);
        }
        long target = Math.max(size, Math.min(upTo, last));
        long[] sinceFlush = {0};
        try {
            journal.readEncoded(Math.max(1, size), target, (seq, bytes) -> {
                if (seq == size) {
                    if (!java.util.Arrays.equals(Rfc6962.leafHash(bytes), tree.node(TreeFile.position(0, seq - 1)))) {
                        throw new Diverged();
                    }
                    return;
                }
                tree.appendLeaf(bytes);
                if (++sinceFlush[0] == FLUSH_EVERY) {
                    sinceFlush[0] = 0;
                    tree.flush();
                }
            });
            checked = true;
        } catch (Diverged e) {
            if (!mayRebuild) {
                return false;
            }
            long common = commonPrefix(size);
            rebuild("was built from another history: record " + (common + 1) + " of the journal is not the one "
                    + "it has (history from seq " + (common + 1) + " on differs)", true);
            return check(upTo, true);
        }
        return true;
    }

    /** Thrown by a reading sink when the first record read is not the tree's last leaf. */
    private static final class Diverged extends IOException {
        private static final long serialVersionUID = 1L;

        Diverged() {
            super("the journal's record is not the tree's leaf", null);
        }

        @Override
        public Throwable fillInStackTrace() {
            return this;
        }
    }

    /** Whether the journal's record {@code seq} hashes to the tree's leaf {@code seq - 1}. */
    private boolean matches(long seq) throws IOException {
        byte[][] leaf = new byte[1][];
        journal.readEncoded(seq, seq, (s, bytes) -> leaf[0] = Rfc6962.leafHash(bytes));
        return java.util.Arrays.equals(leaf[0], tree.node(TreeFile.position(0, seq - 1)));
    }

    /**
     * The largest {@code c <= upTo} such that the tree's first c leaves are the journal's first c records. By the
     * hash chain a record that matches pins every record before it, so this is a binary search.
     */
    private long commonPrefix(long upTo) throws IOException {
        long lo = 0;
        long hi = upTo;
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            if (matches(mid)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * Starts the tree afresh, to be built from the journal: a tree that disagreed with the journal is kept aside as
     * evidence ({@code diverged}), a damaged one is dropped. Read-only: the new tree is in memory.
     */
    private void rebuild(String why, boolean diverged) throws IOException {
        String what = "the Merkle tree " + file + " ";
        if (tree != null) {
            tree.close();
            tree = null;
        }
        checked = false;
        if (readOnly) {
            notice(what + why + "; using a tree built from the journal in memory");
            tree = MerkleTree.inMemory();
            return;
        }
        if (diverged && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Path aside = dir.resolve(TREE_FILE + DIVERGED_SUFFIX + STAMP.format(Instant.now()));
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            notice(what + why + "; kept it as " + aside.getFileName() + " and built it again from the journal");
        } else {
            Files.deleteIfExists(file);
            notice(what + why + "; built it again from the journal");
        }
        tree = MerkleTree.open(file);
    }

    /**
     * Checks that the tree of {@code size} records extends {@code kept}; else throws, naming the first record that
     * differs if an earlier tree tells.
     */
    private void requireExtends(Checkpoint kept, long size, String subject) throws IOException {
        if (kept.size() <= size && tree.rootHash(kept.size()).equals(kept.rootHash())) {
            return;
        }
        long first = firstDifference(kept, size);
        String message;
        if (first == 0) {
            message = subject + (kept.size() > size
                    ? " has " + size + " records but the checkpoint covers " + kept.size() + ": records were removed"
                    : "'s first " + kept.size() + " records are not those the checkpoint covers (root "
                    + Hashes.base64(tree.rootHash(kept.size())) + ", the checkpoint's " + Hashes.base64(kept.rootHash())
                    + "): history was rewritten")
                    + "; no earlier Merkle tree of the checkpointed history is at hand to name the first record "
                    + "that differs";
        } else if (first > size) {
            message = subject + " ends at seq " + size + " but the checkpoint covers seq 1 to " + kept.size()
                    + ": records " + first + " to " + kept.size() + " were removed";
        } else {
            message = subject + " does not extend the checkpoint of " + kept.size() + " records: record " + first
                    + " is not the one the checkpoint covers (history from seq " + first + " on was rewritten)";
        }
        throw new HistoryRewrittenException(kept.size(), size, first, message);
    }

    /**
     * The first seq at which the journal differs from the history {@code kept} covers, from an earlier tree file
     * whose root at the checkpoint's size is the checkpoint's (so it is that history); 0 if none is at hand.
     */
    private long firstDifference(Checkpoint kept, long size) throws IOException {
        for (Path earlier : earlierTrees()) {
            try (MerkleTree old = MerkleTree.openReadOnly(earlier)) {
                if (old.size() < kept.size() || !old.rootHash(kept.size()).equals(kept.rootHash())) {
                    continue;
                }
                long lo = 1;
                long hi = kept.size();
                while (lo < hi) {
                    long mid = lo + (hi - lo) / 2;
                    if (mid > size || !old.leafHash(mid - 1).equals(tree.leafHash(mid - 1))) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                return lo;
            } catch (IOException e) {
                notice("the earlier Merkle tree " + earlier + " cannot be read (" + e.getMessage() + ")");
            }
        }
        return 0;
    }

    /**
     * Tree files of earlier histories of this journal: those this log set aside beside it, and those in journal
     * directories a repair set aside ({@code <journal>.damaged-<time>/merkle}, see {@code JournalRepair}).
     */
    private List<Path> earlierTrees() throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, TREE_FILE + DIVERGED_SUFFIX + "*")) {
            s.forEach(found::add);
        }
        Path parent = dir.getParent();
        if (parent != null) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(parent,
                    dir.getFileName() + DAMAGED_JOURNAL_SUFFIX + "*")) {
                for (Path damaged : s) {
                    Path tree = damaged.resolve(TREE_FILE);
                    if (Files.isRegularFile(tree, LinkOption.NOFOLLOW_LINKS)) {
                        found.add(tree);
                    }
                }
            } catch (NoSuchFileException e) {
                // no parent to look in
            }
        }
        found.sort(null);
        return found;
    }

    private void ensureSize(long treeSize) throws IOException {
        if (treeSize > tree.size()) {
            check(treeSize, true);
            tree.flush();
        }
        if (treeSize > tree.size()) {
            throw new IllegalArgumentException("the journal has " + tree.size() + " records, not " + treeSize);
        }
    }

    private void failed(String what, Exception e) {
        notice(what);
        dropOnFailure(e);
    }

    /** After a failure the tree's state in memory is not trusted: it is opened again at the next use. */
    private void dropOnFailure(Exception e) {
        if (e instanceof dev.cairn.model.CairnException || tree == null) {
            return;
        }
        try {
            tree.close();
        } catch (IOException ignored) {
            // it is being dropped
        }
        tree = null;
    }

    private void notice(String text) {
        notices.add(text);
    }
}
