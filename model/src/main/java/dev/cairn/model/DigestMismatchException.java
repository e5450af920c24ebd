package dev.cairn.model;

/** Content did not hash to the digest the caller said it would; nothing of it was kept. */
public final class DigestMismatchException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final Digest expected;
    private final Digest actual;

    public DigestMismatchException(String what, Digest expected, Digest actual) {
        super(what + " digest mismatch: expected " + expected + ", got " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public Digest expected() {
        return expected;
    }

    public Digest actual() {
        return actual;
    }
}
