package dev.cairn.model;

/**
 * A blob that a manifest, index or archive names is not where it must be: a file missing from an OCI image layout or a
 * docker-archive, or a blob a store or registry does not hold. Nothing was read from it.
 */
public final class BlobNotFoundException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String blob;

    /**
     * @param blob  the blob's digest ({@code sha256:<hex>}) or, where it has none, its path in the archive
     * @param where the layout, archive or store that lacks it, and why it was wanted
     */
    public BlobNotFoundException(String blob, String where) {
        super("blob " + blob + " not found: " + where);
        this.blob = blob;
    }

    /** The blob's digest or archive path, as it was named. */
    public String blob() {
        return blob;
    }
}
