package dev.cairn.journal.tlog;

import dev.cairn.model.CairnException;

/**
 * Text that should be a signed note, a checkpoint, a verifier key or a tlog proof is not one: the message names
 * where the text came from and what is wrong with it (docs/PROOFS.md).
 */
public final class MalformedNoteException extends CairnException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source where the text came from (a file name, "the checkpoint"); never null
     * @param what   what is wrong
     */
    public MalformedNoteException(String source, String what) {
        super(source + ": " + what);
    }
}
