package dev.cairn.model;

/**
 * An image document — manifest, index, image config, {@code index.json}, {@code oci-layout}, a docker-archive's
 * {@code manifest.json} — is not what its media type or format says: not JSON, a required field missing or of the
 * wrong type, a bad digest, fields of another document type. Nothing was made from it.
 */
public final class InvalidImageException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String document;

    /**
     * @param document the document concerned, e.g. {@code image manifest sha256:...} or {@code /x/index.json}
     * @param reason   what is wrong, naming the field (e.g. {@code layers[2].digest: missing})
     */
    public InvalidImageException(String document, String reason) {
        super(document + ": " + reason);
        this.document = document;
    }

    public InvalidImageException(String document, String reason, Throwable cause) {
        super(document + ": " + reason, cause);
        this.document = document;
    }

    /** The document concerned, as named in the message. */
    public String document() {
        return document;
    }
}
