package dev.cairn.model;

import java.util.List;

/**
 * A reference could mean more than one image, so which one was meant is not known; the caller must name one. Nothing
 * was read or changed. Two cases: a reference without a tag named a layout or archive that holds more than one image
 * (or one tag named several); an image id prefix matched several images of a store ({@link #ofPrefix}).
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
        this(reference, candidates, reference + ": holds " + candidates.size() + " images, name one of " + candidates);
    }

    private AmbiguousImageException(String reference, List<String> candidates, String message) {
        super(message);
        this.reference = reference;
        this.candidates = List.copyOf(candidates);
    }

    /**
     * An image id prefix that matches several images of a store.
     *
     * @param prefix     the prefix asked for, as given
     * @param candidates the ids it matches, in id order (at least two)
     */
    public static AmbiguousImageException ofPrefix(String prefix, List<ImageId> candidates) {
        List<String> ids = candidates.stream().map(ImageId::hex).toList();
        return new AmbiguousImageException(prefix, ids, "image id prefix '" + prefix + "' is ambiguous: it matches "
                + ids.size() + " images (" + String.join(", ", ids.stream().limit(5).toList())
                + (ids.size() > 5 ? ", and " + (ids.size() - 5) + " more" : "") + "); give more of the id");
    }

    public String reference() {
        return reference;
    }

    /** The tags or digests the reference could mean. */
    public List<String> candidates() {
        return candidates;
    }
}
