package dev.cairn.recovery;

import dev.cairn.model.LayerId;
import dev.cairn.model.StagingId;

import java.io.IOException;
import java.util.List;

/**
 * The store's folders as recovery sees and changes them. The store implements it over its on-disk layout
 * (DESIGN.md section 6); tests implement it over a temporary folder. Every change is idempotent: doing it twice,
 * or after a crash half-way through it, ends in the same state, and each returns only once the change is durable.
 */
public interface RecoveryDisk {

    /** Names of the entries in {@code layers/}. */
    List<String> layerFolders() throws IOException;

    /** Names of the entries in {@code staging/}. */
    List<String> stagingFolders() throws IOException;

    /** Names of the entries in {@code trash/}, where deletions and cleanups move what they remove. */
    List<String> trashEntries() throws IOException;

    /** Whether {@code staging/<id>} exists. */
    boolean stagingFolderExists(StagingId id) throws IOException;

    /** Whether the staging's finished contents are in place (not yet moved into a layer). */
    boolean stagedContentsExist(StagingId id) throws IOException;

    /** Whether {@code layers/<id>} exists. */
    boolean layerFolderExists(LayerId id) throws IOException;

    /**
     * Whether the process that owns an unfinished staging is still alive. Decided by a lock that dies with its
     * process, never by a pid alone.
     */
    boolean stagingOwnerAlive(StagingId id) throws IOException;

    /** Moves a layer's contents back into the staging they came from (undoing an apply's move). */
    void restoreStagedContents(LayerId layer, StagingId staging) throws IOException;

    /** Removes everything of the layer: {@code layers/<id>} and anything of it in {@code trash/}. */
    void removeLayer(LayerId id) throws IOException;

    /** Removes everything of the staging: {@code staging/<id>} and anything of it in {@code trash/}. */
    void removeStaging(StagingId id) throws IOException;

    /** Removes a file or folder no event accounts for; {@code relativePath} is relative to the store root. */
    void removeOrphan(String relativePath) throws IOException;
}
