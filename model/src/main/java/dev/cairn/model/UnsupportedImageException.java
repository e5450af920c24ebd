package dev.cairn.model;

/**
 * An image that may well be valid but that Cairn does not read: a Docker schema 1 manifest, an artifact rather than a
 * container image, a layer media type it cannot apply (encrypted, unknown), a digest algorithm it cannot verify, a
 * layout version newer than it knows, a compressed docker-archive. Nothing was made from it.
 */
public final class UnsupportedImageException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String subject;

    /**
     * @param subject the image, document or layer concerned
     * @param reason  what Cairn does not support about it
     */
    public UnsupportedImageException(String subject, String reason) {
        super(subject + ": " + reason);
        this.subject = subject;
    }

    /** The image, document or layer concerned, as named in the message. */
    public String subject() {
        return subject;
    }
}
