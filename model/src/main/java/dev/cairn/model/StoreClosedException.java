package dev.cairn.model;

/** The store was used after {@code close()}. */
public final class StoreClosedException extends CairnException {
    private static final long serialVersionUID = 1L;

    public StoreClosedException(String root) {
        super("store at " + root + " is closed");
    }
}
