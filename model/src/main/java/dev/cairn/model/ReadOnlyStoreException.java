package dev.cairn.model;

/** A change was asked of a store opened read-only; nothing was changed. */
public final class ReadOnlyStoreException extends CairnException {
    private static final long serialVersionUID = 1L;

    public ReadOnlyStoreException(String root) {
        super("store at " + root + " is open read-only");
    }
}
