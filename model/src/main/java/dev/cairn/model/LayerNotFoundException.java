package dev.cairn.model;

/** No committed layer has this id or name. */
public final class LayerNotFoundException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String idOrName;

    public LayerNotFoundException(String idOrName) {
        super("layer not known: " + idOrName);
        this.idOrName = idOrName;
    }

    /** The id or name that was asked for. */
    public String idOrName() {
        return idOrName;
    }
}
