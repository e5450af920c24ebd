package dev.cairn.model;

import java.util.List;

/**
 * A reference without a tag named a layout or archive that holds more than one image (or one tag named several), so
 * which one was meant is not known; the caller must name one. Nothing was read.
 */
public final class AmbiguousImageException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String reference;
    private final List<String> candidates;

    /**
     * @param reference  the reference asked for
     * @param candidates what it could mean (tags, or digests of untagged images), in the source's order
     */
    public AmbiguousImageException(String reference, List<String> candidates) {
        super(reference + ": holds " + candidates.size() + " images, name one of " + candidates);
        this.reference = reference;
        this.candidates = List.copyOf(candidates);
    }

    public String reference() {
        return reference;
    }

    /** The tags or digests the reference could mean. */
    public List<String> candidates() {
        return candidates;
    }
}
