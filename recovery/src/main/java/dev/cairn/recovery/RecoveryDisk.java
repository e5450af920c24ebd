package dev.cairn.recovery;

import dev.cairn.model.LayerId;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.StagingId;

import java.io.IOException;
import java.util.List;

/**
 * The store's folders as recovery sees and changes them. The store implements it over its on-disk layout
 * (DESIGN.md section 6); tests implement it over a model. Every change is idempotent: doing it twice, or after a
 * crash half-way through it, ends in the same state, and each returns only once the change is durable.
 *
 * <p>What is in {@code trash/} belongs to the saga whose lock it is named by: {@code trash/<lock>} (a delete's
 * folder) or {@code trash/staging-<sid>} (a cleanup's, lock {@code <sid>}). See {@link #trashOwner}. Blobs are in
 * {@code blobs/sha256/<hex>}, held by the images that list them; a blob being written is a temporary in
 * {@code blobs/tmp/} whose name starts with its writer's owner lock ({@link #blobTemporaryOwner}).
 */
public interface RecoveryDisk {

    /** Names of the entries in {@code layers/}. */
    List<String> layerFolders() throws IOException;

    /** Names of the entries in {@code staging/}. */
    List<String> stagingFolders() throws IOException;

    /** Names of the entries in {@code trash/}, where deletions and cleanups move what they remove. */
    List<String> trashEntries() throws IOException;

    /** Names of the entries in {@code blobs/sha256/}: the blobs' hex digests (anything else is debris). */
    List<String> blobEntries() throws IOException;

    /** Names of the entries in {@code blobs/tmp/}: blobs being written. */
    List<String> blobTemporaries() throws IOException;

    /**
     * Removes the blob {@code blobs/sha256/<name>} if it is there; not durable until {@link #syncBlobs}. The caller
     * holds the writers' lock and has decided against the journal's head that no image holds it.
     */
    void removeBlob(String name) throws IOException;

    /** Makes the blob removals so far durable. */
    void syncBlobs() throws IOException;

    /** Removes the temporary {@code blobs/tmp/<name>}, durably. */
    void removeBlobTemporary(String name) throws IOException;

    /** Whether {@code staging/<id>} exists. */
    boolean stagingFolderExists(StagingId id) throws IOException;

    /** Whether the staging's finished contents are in place (not yet moved into a layer). */
    boolean stagedContentsExist(StagingId id) throws IOException;

    /** Whether {@code layers/<id>} exists. */
    boolean layerFolderExists(LayerId id) throws IOException;

    /** Moves a layer's contents back into the staging they came from (undoing an apply's move). */
    void restoreStagedContents(LayerId layer, StagingId staging) throws IOException;

    /**
     * Removes everything of the layer: {@code layers/<id>}, the folder its deletion {@code owner} moved into the
     * trash ({@code trash/<owner.lock>}, when there is an owner) and {@code trash/<id>} (where deletions moved it
     * before sagas had owners).
     */
    void removeLayer(LayerId id, SagaOwner owner) throws IOException;

    /** Removes everything of the staging: {@code staging/<id>} and {@code trash/staging-<id>}. */
    void removeStaging(StagingId id) throws IOException;

    /**
     * Moves a file or folder no event accounts for ({@code relativePath}, relative to the store root) to
     * {@code trash/<lock>}, in one durable rename, so that it is out of the store at once and can be removed at
     * leisure by whoever holds {@code lock}.
     */
    void moveToTrash(String relativePath, String lock) throws IOException;

    /** Removes a file or folder; {@code relativePath} is relative to the store root. */
    void removeOrphan(String relativePath) throws IOException;

    /** The owner lock a blob temporary's name starts with ({@code <lock>-...}), or null if it names none. */
    static String blobTemporaryOwner(String name) {
        int dash = name.indexOf('-');
        String lock = dash < 0 ? null : name.substring(0, dash);
        return SagaOwner.isLockName(lock) ? lock : null;
    }

    /** The lock name a trash entry belongs to, or null for one no lock names (left by an older Cairn). */
    static String trashOwner(String entry) {
        if (SagaOwner.isLockName(entry)) {
            return entry;
        }
        if (entry.startsWith("staging-") && StagingId.isValid(entry.substring(8))) {
            return entry.substring(8);
        }
        return null;
    }
}
