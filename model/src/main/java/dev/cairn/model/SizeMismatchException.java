package dev.cairn.model;

/**
 * Content was longer or shorter than the size its descriptor promised; nothing of it was kept. Raised as soon as the
 * content runs over its size, and at its end when it ran short.
 */
public final class SizeMismatchException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final long expected;
    private final long actual;

    /**
     * @param what     the content concerned (e.g. {@code blob sha256:...})
     * @param expected the size promised
     * @param actual   the size found; for an overrun, the count when it was detected (at least {@code expected + 1})
     */
    public SizeMismatchException(String what, long expected, long actual) {
        super(what + " size mismatch: expected " + expected + " bytes, got " + (actual > expected ? "more" : actual));
        this.expected = expected;
        this.actual = actual;
    }

    public long expected() {
        return expected;
    }

    /** The size found, or for an overrun the count at which reading stopped. */
    public long actual() {
        return actual;
    }
}
