package dev.cairn.store.internal;

import dev.cairn.io.DurableFiles;
import dev.cairn.journal.ChronicleJournal;
import dev.cairn.journal.tlog.CheckpointKey;
import dev.cairn.model.LayerId;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.StagingId;
import dev.cairn.recovery.RecoveryDisk;
import dev.cairn.recovery.SagaLocks;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The store's folders (DESIGN.md section 6) and the durable steps on them:
 *
 * <pre>
 * &lt;root&gt;/journal/                   the journal; its presence is what makes the root a store
 * &lt;root&gt;/layers/&lt;id&gt;/               a layer: diff/, manifest, tar-record (shadow/)
 * &lt;root&gt;/staging/&lt;sid&gt;/layer/         a staged diff, what apply renames to layers/&lt;id&gt; in one step
 * &lt;root&gt;/owners/&lt;lock&gt;               saga owner locks (OS file locks; see {@link LockFiles})
 * &lt;root&gt;/trash/&lt;lock&gt;                what a delete removes; trash/staging-&lt;sid&gt; what a cleanup removes
 * &lt;root&gt;/snapshots/                 projection snapshots
 * &lt;root&gt;/uploads/&lt;id&gt;/              a registry's open upload sessions
 * &lt;root&gt;/blobs/                     blobs as received, content-addressed ({@link FileBlobStore})
 * &lt;root&gt;/keys/                      the checkpoint signing key (docs/PROOFS.md), made with the store
 * &lt;root&gt;/store.lock                 the writers' lock
 * </pre>
 *
 * Ids and lock names are checked types, so no name from outside becomes a path here. It is also the store's
 * {@link SagaLocks} as recovery sees them (owner locks through {@link LockFiles}; the writers' lock waited for up to
 * {@link #WRITERS_TIMEOUT}); a store uses {@link StoreLocks}, which adds its options. Thread-safe.
 */
public final class StoreLayout implements RecoveryDisk, SagaLocks {

    /** How long {@link #writers()} waits for the writers' lock. */
    public static final Duration WRITERS_TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final FileBlobStore blobs;

    public StoreLayout(Path root) {
        this.root = root;
        this.blobs = new FileBlobStore(root.resolve("blobs"));
    }

    /** The store's blobs. */
    public FileBlobStore blobs() {
        return blobs;
    }

    /**
     * Makes the store if there is none, atomically: a reader sees no store or a whole one, and any number of
     * processes may do it at once (all succeed; one journal wins). Every folder but the journal is made first (each
     * 0700, durably; making one that another process made meanwhile is fine); then the journal is made whole under
     * {@code trash/<lock>}, owned by a fresh lock so that no recovery takes it for debris, and renamed to
     * {@code journal} in one step, the moment the store exists. A creator that loses the race removes its journal.
     * An existing root (an empty directory, a mount point) is used as it is. The checkpoints' signing key is made
     * before that rename ({@link #checkpointKey()}), so every store made so has its key from its first moment.
     */
    public void create() throws IOException {
        Path parent = root.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        mkdir(root);
        for (Path p : List.of(layers(), staging(), trash(), snapshots(), owners())) {
            mkdir(p);
        }
        blobs.makeFolders();
        if (exists()) {
            return;
        }
        checkpointKey();
        SagaOwner creator = SagaOwner.fresh(dev.cairn.model.Actor.process());
        try (LockFiles.Owned owned = LockFiles.create(ownerLock(creator.lock()))) {
            Path building = trash().resolve(creator.lock());
            ChronicleJournal.open(building).close();
            DurableFiles.syncDir(trash());
            try {
                DurableFiles.renameDurable(building, journal());
            } catch (java.nio.file.FileSystemException e) {
                if (!exists()) {
                    throw e;
                }
                DurableFiles.removeTree(building); // another process made the store first (ENOTEMPTY)
            }
            owned.release(true);
        }
    }

    /**
     * The store's checkpoint signing key in {@code keys/}, made now if the store has none (a new store, or one made
     * before stores were made with their key): built under {@code trash/<lock>}, owned by a fresh lock so that no
     * recovery takes it for debris while it is made and recovery removes it if its maker dies, then renamed to
     * {@code keys/} in one step that never replaces a key. Racing makers all get the key that won
     * ({@link CheckpointKey#loadOrCreate(Path, Path, String)}).
     */
    public CheckpointKey checkpointKey() throws IOException {
        SagaOwner maker = SagaOwner.fresh(dev.cairn.model.Actor.process());
        LockFiles.Owned owned = LockFiles.create(ownerLock(maker.lock()));
        try {
            return CheckpointKey.loadOrCreate(keys(), trash().resolve(maker.lock()), CheckpointKey.defaultOrigin());
        } finally {
            owned.release(true); // whatever is left under trash/<lock> is debris for recovery now
        }
    }

    /** Creates {@code dir} (0700) durably unless it is there already, also when another process makes it meanwhile. */
    private static void mkdir(Path dir) throws IOException {
        try {
            DurableFiles.mkdirDurable(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw new NotDirectoryException(dir.toString());
            }
        }
    }

    /**
     * Throws the real reason why {@link #exists()} said no, where it is not that there is no store: the root is a
     * file ({@link NotDirectoryException}), or this process may not look into it or a folder above it
     * ({@link java.nio.file.AccessDeniedException}). Returns normally when there simply is no store here.
     */
    public void explainAbsence() throws IOException {
        try {
            if (!Files.readAttributes(root, BasicFileAttributes.class).isDirectory()) {
                throw new NotDirectoryException(root.toString());
            }
            Files.readAttributes(journal(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            // no store, for no other reason
        }
    }

    /** Whether a store was made here (its journal folder exists). */
    public boolean exists() {
        return Files.isDirectory(journal(), LinkOption.NOFOLLOW_LINKS);
    }

    public Path root() {
        return root;
    }

    public Path journal() {
        return root.resolve("journal");
    }

    public Path layers() {
        return root.resolve("layers");
    }

    public Path staging() {
        return root.resolve("staging");
    }

    /** The checkpoint signing key's folder ({@code keys/}, docs/PROOFS.md "Keys on disk"). */
    public Path keys() {
        return root.resolve("keys");
    }

    public Path trash() {
        return root.resolve("trash");
    }

    /** Upload sessions of a registry served from the store: {@code uploads/<id>/}, each an open session's. */
    public Path uploads() {
        return root.resolve("uploads");
    }

    public Path snapshots() {
        return root.resolve("snapshots");
    }

    /** Where saga owners keep their locks. */
    public Path owners() {
        return root.resolve("owners");
    }

    public Path lockFile() {
        return root.resolve("store.lock");
    }

    /** The lock file of a saga owner, or of a staging (named by its id). */
    public Path ownerLock(String lock) {
        if (!SagaOwner.isLockName(lock)) {
            throw new IllegalArgumentException("not a lock name: " + lock);
        }
        return owners().resolve(lock);
    }

    public Path layer(LayerId id) {
        return layers().resolve(id.hex());
    }

    public Path layerDiff(LayerId id) {
        return layer(id).resolve("diff");
    }

    public Path layerManifest(LayerId id) {
        return layer(id).resolve("manifest");
    }

    public Path stagingFolder(StagingId id) {
        return staging().resolve(id.hex());
    }

    /** The folder apply moves into place as {@code layers/<id>}. */
    public Path stagedContents(StagingId id) {
        return stagingFolder(id).resolve("layer");
    }

    public Path stagedDiff(StagingId id) {
        return stagedContents(id).resolve("diff");
    }

    public Path stagedManifest(StagingId id) {
        return stagedContents(id).resolve("manifest");
    }

    /**
     * A staging's copy of the bytes it was staged from, as received, when it keeps them (an image import's): beside
     * {@code layer/}, so apply leaves it behind for the image to take into its blobs.
     */
    public Path stagedBlob(StagingId id) {
        return stagingFolder(id).resolve("blob");
    }

    private Path layerTrash(SagaOwner deleter) {
        return trash().resolve(deleter.lock());
    }

    private Path stagingTrash(StagingId id) {
        return trash().resolve("staging-" + id.hex());
    }

    // --- the steps of the sagas ----------------------------------------------------------------------------------

    /** stage: {@code staging/<sid>/layer/diff/}, each made durably. */
    public void makeStaging(StagingId id) throws IOException {
        DurableFiles.mkdirDurable(stagingFolder(id));
        DurableFiles.mkdirDurable(stagedContents(id));
        DurableFiles.mkdirDurable(stagedDiff(id));
    }

    /** apply: {@code staging/<sid>/layer} becomes {@code layers/<id>} in one rename. */
    public void moveStagedIntoLayer(StagingId staging, LayerId layer) throws IOException {
        DurableFiles.renameDurable(stagedContents(staging), layer(layer));
    }

    /** put, after its apply: the staging's folder, empty now, removed (durably). */
    public void removeAppliedStaging(StagingId id) throws IOException {
        DurableFiles.removeTree(stagingFolder(id));
    }

    /** delete: the layer's folder leaves {@code layers/} for {@code trash/<lock>} in one rename. */
    public void trashLayer(LayerId id, SagaOwner deleter) throws IOException {
        if (layerFolderExists(id)) {
            DurableFiles.removeTree(layerTrash(deleter));
            DurableFiles.renameDurable(layer(id), layerTrash(deleter));
        }
    }

    /** delete, outside the writers' lock: what {@link #trashLayer} moved aside, removed. */
    public void removeTrashedLayer(SagaOwner deleter) throws IOException {
        DurableFiles.removeTree(layerTrash(deleter));
    }

    /** cleanup: the staging's folder leaves {@code staging/} for {@code trash/staging-<sid>} in one rename. */
    public void trashStaging(StagingId id) throws IOException {
        if (stagingFolderExists(id)) {
            DurableFiles.removeTree(stagingTrash(id));
            DurableFiles.renameDurable(stagingFolder(id), stagingTrash(id));
        }
    }

    /** cleanup, outside the writers' lock: what {@link #trashStaging} moved aside, removed. */
    public void removeTrashedStaging(StagingId id) throws IOException {
        DurableFiles.removeTree(stagingTrash(id));
    }

    // --- RecoveryDisk --------------------------------------------------------------------------------------------

    @Override
    public List<String> layerFolders() throws IOException {
        return DurableFiles.list(layers());
    }

    @Override
    public List<String> stagingFolders() throws IOException {
        return DurableFiles.list(staging());
    }

    @Override
    public List<String> trashEntries() throws IOException {
        return DurableFiles.list(trash());
    }

    @Override
    public List<String> blobEntries() throws IOException {
        return blobs.list();
    }

    @Override
    public List<String> blobTemporaries() throws IOException {
        return blobs.temporaries();
    }

    @Override
    public void removeBlob(String name) throws IOException {
        if (!LayerId.isValid(name)) {
            throw new IOException("refusing to remove blob '" + name + "': not a sha256 hex digest");
        }
        blobs.remove(new dev.cairn.model.Digest(name));
    }

    @Override
    public void syncBlobs() throws IOException {
        blobs.sync();
    }

    @Override
    public void removeBlobTemporary(String name) throws IOException {
        blobs.removeTemporary(name);
    }

    @Override
    public boolean stagingFolderExists(StagingId id) {
        return Files.isDirectory(stagingFolder(id), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public boolean stagedContentsExist(StagingId id) {
        return Files.isDirectory(stagedContents(id), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public boolean layerFolderExists(LayerId id) {
        return Files.isDirectory(layer(id), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void restoreStagedContents(LayerId layer, StagingId staging) throws IOException {
        DurableFiles.renameDurable(layer(layer), stagedContents(staging));
    }

    @Override
    public void removeLayer(LayerId id, SagaOwner deleter) throws IOException {
        DurableFiles.removeTree(layer(id));
        if (deleter != null) {
            DurableFiles.removeTree(layerTrash(deleter));
        }
        DurableFiles.removeTree(trash().resolve(id.hex()));
    }

    @Override
    public void removeStaging(StagingId id) throws IOException {
        DurableFiles.removeTree(stagingFolder(id));
        DurableFiles.removeTree(stagingTrash(id));
    }

    @Override
    public void moveToTrash(String relativePath, String lock) throws IOException {
        DurableFiles.renameDurable(inside(relativePath), trash().resolve(lock));
    }

    @Override
    public void removeOrphan(String relativePath) throws IOException {
        DurableFiles.removeTree(inside(relativePath));
    }

    private Path inside(String relativePath) throws IOException {
        Path p = root.resolve(relativePath).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IOException("refusing to touch " + p + ": not inside the store at " + root);
        }
        return p;
    }

    // --- SagaLocks -----------------------------------------------------------------------------------------------

    @Override
    public Optional<Held> adopt(String lock) throws IOException {
        return LockFiles.adopt(ownerLock(lock)).map(StoreLayout::held);
    }

    @Override
    public boolean alive(String lock) throws IOException {
        return LockFiles.held(ownerLock(lock));
    }

    /** Whether the process staging {@code id} is alive (its lock is held). */
    public boolean stagingOwnerAlive(StagingId id) throws IOException {
        return alive(id.hex());
    }

    @Override
    public Held writers() throws IOException {
        StoreLock lock = new StoreLock(lockFile());
        try {
            StoreLock.Hold hold = lock.acquire(WRITERS_TIMEOUT);
            return held(() -> {
                try {
                    hold.close();
                } finally {
                    lock.close();
                }
            });
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    @Override
    public List<String> lockFiles() throws IOException {
        return DurableFiles.list(owners()).stream().filter(n -> !n.startsWith(LockFiles.NEW_PREFIX)).toList();
    }

    @Override
    public void forgetUnfinishedLockFiles() throws IOException {
        LockFiles.forgetUnfinished(owners());
    }

    /** An owner lock as recovery holds it. */
    static Held held(LockFiles.Owned owned) {
        return new Held() {
            @Override
            public void close() throws IOException {
                owned.release(false);
            }

            @Override
            public void closeAndForget() throws IOException {
                owned.release(true);
            }
        };
    }

    /** A lock that only releases, such as the writers'. */
    static Held held(StoreLock.Hold hold) {
        return new Held() {
            @Override
            public void close() throws IOException {
                hold.close();
            }

            @Override
            public void closeAndForget() throws IOException {
                hold.close();
            }
        };
    }
}
