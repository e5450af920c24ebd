package dev.cairn.journal.tlog;

import dev.cairn.model.CairnException;

import java.nio.file.Path;

/**
 * The store's checkpoint key cannot be used: its file is damaged, its private and public parts do not belong
 * together, or the private part is readable by others than its owner. Nothing is signed with such a key.
 */
public final class CheckpointKeyException extends CairnException {
    private static final long serialVersionUID = 1L;

    public CheckpointKeyException(Path file, String what) {
        super(file + ": " + what);
    }
}
