package dev.cairn.model;

/** A name asked for is already held by another layer; nothing was changed. */
public final class NameInUseException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final LayerId holder;

    public NameInUseException(String name, LayerId holder) {
        super("name '" + name + "' is already used by layer " + holder);
        this.name = name;
        this.holder = holder;
    }

    public String name() {
        return name;
    }

    /** The layer that has the name. */
    public LayerId holder() {
        return holder;
    }
}
