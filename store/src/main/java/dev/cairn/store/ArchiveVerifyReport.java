package dev.cairn.store;

import dev.cairn.model.Digest;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link LayerStore#verifyArchives} checked: the archives and the live journal as one history from seq 1.
 *
 * @param archives        the archives, as given
 * @param archivedRecords how many records they hold (seq 1 to this)
 * @param lastSeq         the journal's last record: the history checked ends there
 * @param merkleRoot      the root of the Merkle tree over every record from seq 1, computed from the records
 * @param treeRoot        the root the store's tree file has for that many records (null when there is no tree file)
 */
public record ArchiveVerifyReport(List<Path> archives, long archivedRecords, long lastSeq, Digest merkleRoot,
                                  Digest treeRoot) {

    public ArchiveVerifyReport {
        archives = List.copyOf(archives);
    }

    /** Whether the tree file agrees with the records (or there is none). */
    public boolean treeAgrees() {
        return treeRoot == null || treeRoot.equals(merkleRoot);
    }
}
