package dev.cairn.model;

/** Content did not hash to the digest the caller said it would; nothing of it was kept. */
public final class DigestMismatchException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String expectedText;
    private final String actualText;

    public DigestMismatchException(String what, Digest expected, Digest actual) {
        this(what, expected.toString(), actual.toString());
    }

    /**
     * For digests of any algorithm (an OCI descriptor may name {@code sha512:...}).
     *
     * @param expected the digest promised, {@code <algorithm>:<encoded>}
     * @param actual   the digest of the content, same algorithm
     */
    public DigestMismatchException(String what, String expected, String actual) {
        super(what + " digest mismatch: expected " + expected + ", got " + actual);
        this.expectedText = expected;
        this.actualText = actual;
    }

    /** The digest promised, or null where it is not a sha256 digest (then see {@link #expectedText()}). */
    public Digest expected() {
        return expectedText.startsWith(Digest.SHA256 + ":") ? Digest.parse(expectedText) : null;
    }

    /** The digest of the content, or null where it is not a sha256 digest (then see {@link #actualText()}). */
    public Digest actual() {
        return actualText.startsWith(Digest.SHA256 + ":") ? Digest.parse(actualText) : null;
    }

    /** The digest promised, {@code <algorithm>:<encoded>}. */
    public String expectedText() {
        return expectedText;
    }

    /** The digest of the content, {@code <algorithm>:<encoded>}. */
    public String actualText() {
        return actualText;
    }
}
