package dev.cairn.model;

import java.util.List;

/** A layer that other layers stand on cannot be deleted; nothing was changed. */
public final class LayerHasChildrenException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final LayerId layer;
    private final transient List<LayerId> children;

    public LayerHasChildrenException(LayerId layer, List<LayerId> children) {
        super("layer " + layer + " has " + children.size() + " child layer(s), e.g. " + children.get(0)
                + ": delete them first");
        this.layer = layer;
        this.children = List.copyOf(children);
    }

    public LayerId layer() {
        return layer;
    }

    public List<LayerId> children() {
        return children;
    }
}
