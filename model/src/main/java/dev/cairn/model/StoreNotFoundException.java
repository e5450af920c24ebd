package dev.cairn.model;

/** There is no store at the root given (a read-only open never creates one). */
public final class StoreNotFoundException extends CairnException {
    private static final long serialVersionUID = 1L;

    public StoreNotFoundException(String root) {
        super("no Cairn store at " + root + " (importing or creating a layer makes one)");
    }
}
