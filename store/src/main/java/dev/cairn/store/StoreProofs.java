package dev.cairn.store;

import dev.cairn.journal.ArchiveChain;
import dev.cairn.journal.ChronicleJournal;
import dev.cairn.journal.EncodedRecords;
import dev.cairn.journal.tlog.Checkpoint;
import dev.cairn.journal.tlog.CheckpointKey;
import dev.cairn.journal.tlog.ConsistencyCheck;
import dev.cairn.journal.tlog.NoteVerifier;
import dev.cairn.journal.tlog.SignedCheckpoint;
import dev.cairn.journal.tlog.TransparencyLog;
import dev.cairn.model.StoreNotFoundException;
import dev.cairn.store.internal.StoreLayout;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The store's journal as a transparency log (docs/PROOFS.md): signed checkpoints of it, and proofs that a record is
 * in one and that the journal today extends one. What {@code cairn checkpoint}, {@code cairn prove} and
 * {@code cairn verify --checkpoint} do.
 *
 * <p>It opens the store's journal by itself, read-only (verifying it as every open does), so it works beside a
 * {@link LayerStore} open in this or another process. {@link #open} is for checking: like every query it writes
 * nothing, so it works for a user who may only read the store and on a read-only mount; a Merkle tree that lags the
 * journal is brought up to date in memory. {@link #openForSigning} also keeps the tree file up to date and signs with
 * the store's private key ({@code <root>/keys/}, readable by its owner only), made with the store; a store made
 * before that gets its key at its first checkpoint. Checking needs only the verifier key: one the caller trusts, or
 * else the store's own.
 *
 * <p>Thread-safe.
 */
public final class StoreProofs implements Closeable {

    private final Path root;
    private final ChronicleJournal journal;
    private final TransparencyLog log;
    private final boolean signing;

    private StoreProofs(Path root, ChronicleJournal journal, TransparencyLog log, boolean signing) {
        this.root = root;
        this.journal = journal;
        this.log = log;
        this.signing = signing;
    }

    /**
     * Opens the store at {@code root} for checking checkpoints and proofs; writes nothing.
     *
     * @throws StoreNotFoundException                     if there is no store at {@code root}
     * @throws dev.cairn.model.JournalCorruptedException if the journal fails verification
     */
    public static StoreProofs open(Path root) throws IOException {
        return open(root, false, List.of());
    }

    /**
     * Opens the store at {@code root} for signing checkpoints too: the tree file beside the journal is kept up to
     * date (the journal directory must be writable).
     */
    public static StoreProofs openForSigning(Path root) throws IOException {
        return open(root, true, List.of());
    }

    /**
     * {@link #open} or {@link #openForSigning} reading the bytes of archived records from {@code archives}
     * ({@code cairn archive}): a proof of a record ({@link #prove}) needs them, a consistency proof does not (the tree
     * file keeps every leaf's hash).
     */
    public static StoreProofs open(Path root, boolean signing, List<Path> archives) throws IOException {
        StoreLayout layout = new StoreLayout(root.toAbsolutePath().normalize());
        if (!layout.exists()) {
            throw new StoreNotFoundException(layout.root().toString());
        }
        ChronicleJournal journal = ChronicleJournal.openReadOnly(layout.journal());
        try {
            EncodedRecords records = ArchiveChain.records(archives, journal);
            TransparencyLog log = signing ? TransparencyLog.open(layout.journal(), records)
                    : TransparencyLog.openReadOnly(layout.journal(), records);
            return new StoreProofs(layout.root(), journal, log, signing);
        } catch (IOException | RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    /**
     * The last checkpoint the store's key signed, read with the verifier key alone (without opening the journal):
     * what a repair that cut the journal back to seq N breaks, if it covers more than N records. Empty if the store
     * has no key or its key signed nothing.
     *
     * @throws dev.cairn.journal.tlog.UntrustedNoteException if the record of it does not carry the key's signature
     */
    public static Optional<StoreCheckpoint> lastSigned(Path root) throws IOException {
        Path keys = new StoreLayout(root.toAbsolutePath().normalize()).keys();
        if (!Files.exists(keys.resolve(CheckpointKey.PUBLIC_FILE), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Optional<Checkpoint> last = CheckpointKey.lastSigned(keys);
        if (last.isEmpty()) {
            return Optional.empty();
        }
        Checkpoint c = last.get();
        return Optional.of(new StoreCheckpoint(c.origin(), c.size(), c.rootHash(),
                Files.readString(keys.resolve(CheckpointKey.LATEST_FILE), StandardCharsets.UTF_8),
                CheckpointKey.readVerifier(keys).toString()));
    }

    /**
     * Signs a checkpoint of the journal's head with the store's key (made now if the store has none) and records
     * it as the last one signed.
     *
     * @throws dev.cairn.model.ReadOnlyStoreException if opened with {@link #open} (for checking only)
     * @throws java.nio.file.AccessDeniedException    if this user may not read the private key
     * @throws dev.cairn.model.HistoryRewrittenException if the journal does not extend the last checkpoint the key
     *                                                   signed (after a repair cut signed records): nothing is signed
     */
    public StoreCheckpoint checkpoint() throws IOException {
        SignedCheckpoint c = signHead();
        return new StoreCheckpoint(c.checkpoint().origin(), c.checkpoint().size(), c.checkpoint().rootHash(),
                c.toString(), verifierKey());
    }

    /**
     * Proves that the journal today extends the checkpoint in {@code note}, after checking its signature.
     *
     * @param note       the checkpoint's signed note, as kept (UTF-8)
     * @param source     names the note in messages (its file)
     * @param trustedKey the verifier key to check it with, in its text form; null for the store's own
     * @throws dev.cairn.model.HistoryRewrittenException if the journal does not extend it, naming the first record
     *                                                   that differs where an earlier tree tells
     * @throws dev.cairn.journal.tlog.MalformedNoteException if the note or the key is not one
     * @throws dev.cairn.journal.tlog.UntrustedNoteException if the note is not signed by the key
     */
    public CheckpointConsistency verifyCheckpoint(byte[] note, String source, String trustedKey) throws IOException {
        NoteVerifier key = verifier(trustedKey);
        SignedCheckpoint kept = SignedCheckpoint.verify(note, key, source);
        ConsistencyCheck check = log.proveExtends(kept.checkpoint());
        return new CheckpointConsistency(kept.checkpoint().origin(), kept.checkpoint().size(),
                kept.checkpoint().rootHash(), check.treeSize(), check.rootHash(),
                check.proof() == null ? List.of() : check.proof().path(), key.toString(), trustedKey == null);
    }

    /**
     * The proof that record {@code seq} is in a signed checkpoint, in the C2SP tlog-proof text form with the
     * record's bytes: in the checkpoint of {@code note} (after checking its signature and that the journal still
     * extends it), or, when {@code note} is null, in a new checkpoint of the head signed now (which needs
     * {@link #openForSigning}).
     *
     * @throws IllegalArgumentException if the checkpoint does not cover {@code seq}
     */
    public String prove(long seq, byte[] note, String source, String trustedKey) throws IOException {
        SignedCheckpoint against;
        if (note == null) {
            against = signHead();
        } else {
            against = SignedCheckpoint.verify(note, verifier(trustedKey), source);
        }
        return log.tlogProof(seq, against).toString();
    }

    /** The store's verifier key in its text form, for auditors to keep. */
    public String verifierKey() throws IOException {
        return CheckpointKey.readVerifier(keys()).toString();
    }

    /** What happened to the Merkle tree that someone should hear of (rebuilds and their reasons). */
    public List<String> notices() {
        return log.notices();
    }

    @Override
    public void close() throws IOException {
        try {
            log.close();
        } finally {
            journal.close();
        }
    }

    /** Signs the head with the store's key, made now if the store has none (one made before stores had it). */
    private SignedCheckpoint signHead() throws IOException {
        if (!signing) {
            throw new dev.cairn.model.ReadOnlyStoreException(root + " (opened for checking checkpoints, not signing)");
        }
        return log.checkpoint(new StoreLayout(root).checkpointKey());
    }

    private Path keys() {
        return new StoreLayout(root).keys();
    }

    private NoteVerifier verifier(String trustedKey) throws IOException {
        if (trustedKey != null) {
            return NoteVerifier.parse(trustedKey, "the verifier key given");
        }
        if (!Files.exists(keys().resolve(CheckpointKey.PUBLIC_FILE), LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(keys().resolve(CheckpointKey.PUBLIC_FILE).toString(), null,
                    "the store has no checkpoint key yet (it was made before stores had one; cairn checkpoint makes it)");
        }
        return CheckpointKey.readVerifier(keys());
    }
}
