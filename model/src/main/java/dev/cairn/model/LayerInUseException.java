package dev.cairn.model;

import java.util.List;

/** A layer that an image stands on (as its top layer or below it) cannot be deleted; nothing was changed. */
public final class LayerInUseException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final LayerId layer;
    private final transient List<ImageId> images;

    /**
     * @param layer  the layer asked to be deleted
     * @param images the images that use it (at least one), each named by id and, where it has one, its first name
     * @param named  how each image reads in the message, in the order of {@code images}
     */
    public LayerInUseException(LayerId layer, List<ImageId> images, List<String> named) {
        super("layer " + layer + " is used by " + (images.size() == 1 ? "image " : images.size() + " images, e.g. ")
                + named.get(0) + ": delete the image first");
        this.layer = layer;
        this.images = List.copyOf(images);
    }

    public LayerId layer() {
        return layer;
    }

    /** The images that use it. */
    public List<ImageId> images() {
        return images;
    }
}
