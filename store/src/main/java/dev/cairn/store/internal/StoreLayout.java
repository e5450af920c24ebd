package dev.cairn.store.internal;

import dev.cairn.io.DurableFiles;
import dev.cairn.model.LayerId;
import dev.cairn.model.StagingId;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.recovery.RecoveryDisk;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store's folders (DESIGN.md section 6) and the durable steps on them:
 *
 * <pre>
 * &lt;root&gt;/journal/                   the journal
 * &lt;root&gt;/layers/&lt;id&gt;/diff/            a layer's entries, extracted
 * &lt;root&gt;/layers/&lt;id&gt;/manifest         its content manifest (types, modes, sizes, content digests)
 * &lt;root&gt;/staging/&lt;sid&gt;/owner.lock      locked by the staging's process while it is unfinished
 * &lt;root&gt;/staging/&lt;sid&gt;/layer/         what apply renames to layers/&lt;id&gt; in one step
 * &lt;root&gt;/trash/                     where delete and cleanup move a folder before removing it
 * &lt;root&gt;/snapshots/                 projection snapshots
 * &lt;root&gt;/store.lock                 the writers' lock
 * </pre>
 *
 * Ids are checked types, so no name from outside becomes a path here. Thread-safe.
 */
public final class StoreLayout implements RecoveryDisk {

    private final Path root;
    private final Map<StagingId, FileLock> ownedStagings = new ConcurrentHashMap<>();

    public StoreLayout(Path root) {
        this.root = root;
    }

    /** Creates the folders that are missing (each 0700), durably. */
    public void create() throws IOException {
        Files.createDirectories(root.getParent() == null ? root : root.toAbsolutePath().getParent());
        DurableFiles.mkdirDurable(root);
        for (Path p : List.of(journal(), layers(), staging(), trash(), snapshots())) {
            DurableFiles.mkdirDurable(p);
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

    public Path trash() {
        return root.resolve("trash");
    }

    public Path snapshots() {
        return root.resolve("snapshots");
    }

    public Path lockFile() {
        return root.resolve("store.lock");
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

    private Path ownerLockFile(StagingId id) {
        return stagingFolder(id).resolve("owner.lock");
    }

    private Path layerTrash(LayerId id) {
        return trash().resolve(id.hex());
    }

    private Path stagingTrash(StagingId id) {
        return trash().resolve("staging-" + id.hex());
    }

    // --- staging ownership ---------------------------------------------------------------------------------------

    /**
     * Creates {@code staging/<sid>/} and takes its owner lock for this process, durably. The lock is held until
     * {@link #releaseOwnership} (or the process dies).
     */
    public void claimStaging(StagingId id) throws IOException {
        DurableFiles.mkdirDurable(stagingFolder(id));
        FileChannel ch = FileChannel.open(ownerLockFile(id), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("staging " + id + " is already owned by another process: " + ownerLockFile(id));
        }
        ownedStagings.put(id, lock);
        DurableFiles.syncDir(stagingFolder(id));
    }

    /** Drops this process's owner lock on a staging (when it finished, or was removed). */
    public void releaseOwnership(StagingId id) {
        FileLock lock = ownedStagings.remove(id);
        if (lock != null) {
            try {
                lock.channel().close();
            } catch (IOException ignored) {
                // Closing releases the lock; a failure to close leaves nothing held that matters.
            }
        }
    }

    /** Releases every owner lock of this process. */
    public void releaseAll() {
        for (StagingId id : List.copyOf(ownedStagings.keySet())) {
            releaseOwnership(id);
        }
    }

    @Override
    public boolean stagingOwnerAlive(StagingId id) throws IOException {
        if (ownedStagings.containsKey(id)) {
            return true;
        }
        Path f = ownerLockFile(id);
        if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        }
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
    public void removeLayer(LayerId id) throws IOException {
        DurableFiles.removeTree(layer(id));
        DurableFiles.removeTree(layerTrash(id));
    }

    @Override
    public void removeStaging(StagingId id) throws IOException {
        releaseOwnership(id);
        DurableFiles.removeTree(stagingFolder(id));
        DurableFiles.removeTree(stagingTrash(id));
    }

    @Override
    public void removeOrphan(String relativePath) throws IOException {
        Path p = root.resolve(relativePath).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IOException("refusing to remove " + p + ": not inside the store at " + root);
        }
        DurableFiles.removeTree(p);
    }

    // --- the moves of apply, delete and cleanup ---------------------------------------------------------------

    /** apply: {@code staging/<sid>/layer} becomes {@code layers/<id>} in one rename. */
    public void moveStagedIntoLayer(StagingId staging, LayerId layer) throws IOException {
        DurableFiles.renameDurable(stagedContents(staging), layer(layer));
    }

    /** delete: the layer's folder leaves {@code layers/} in one rename, then is removed. */
    public void removeLayerDurably(LayerId id) throws IOException {
        if (layerFolderExists(id)) {
            DurableFiles.removeTree(layerTrash(id));
            DurableFiles.renameDurable(layer(id), layerTrash(id));
            FaultPoints.reach(FaultPoints.LAYER_TRASHED);
        }
        DurableFiles.removeTree(layerTrash(id));
    }

    /** cleanup: the staging's folder leaves {@code staging/} in one rename, then is removed. */
    public void removeStagingDurably(StagingId id) throws IOException {
        releaseOwnership(id);
        if (stagingFolderExists(id)) {
            DurableFiles.removeTree(stagingTrash(id));
            DurableFiles.renameDurable(stagingFolder(id), stagingTrash(id));
            FaultPoints.reach(FaultPoints.STAGING_TRASHED);
        }
        DurableFiles.removeTree(stagingTrash(id));
    }
}
