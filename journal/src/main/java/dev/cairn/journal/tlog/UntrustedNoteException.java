package dev.cairn.journal.tlog;

import dev.cairn.model.CairnException;

/**
 * A well-formed signed note carries no valid signature by the key it was checked against: it is signed by another
 * key only, or the signature by that key does not verify (the text was changed after signing). Its text must not
 * be believed.
 */
public final class UntrustedNoteException extends CairnException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source where the note came from
     * @param what   which key was expected and what was found
     */
    public UntrustedNoteException(String source, String what) {
        super(source + ": " + what);
    }
}
