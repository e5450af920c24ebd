package dev.cairn.journal.tlog;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The tree file failed a check (a bad header, an entry whose CRC fails). The tree is derived data, so this never
 * reaches a caller of {@link TransparencyLog}: the log drops the file and builds the tree again from the journal.
 */
final class TreeDamagedException extends IOException {
    private static final long serialVersionUID = 1L;

    TreeDamagedException(Path file, String what) {
        super("Merkle tree file " + (file == null ? "(in memory)" : file) + " " + what);
    }
}
