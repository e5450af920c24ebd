package dev.cairn.model;

/**
 * No image answers to the reference: an OCI layout or docker-archive that does not exist, a tag or source index it
 * does not hold, or an image a store does not know.
 */
public final class ImageNotFoundException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String reference;

    /**
     * @param reference the reference asked for (e.g. {@code oci:/x:v1})
     * @param reason    what is missing
     */
    public ImageNotFoundException(String reference, String reason) {
        super(reference + ": " + reason);
        this.reference = reference;
    }

    /** The reference that was asked for. */
    public String reference() {
        return reference;
    }
}
