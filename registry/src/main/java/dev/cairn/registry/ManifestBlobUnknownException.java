package dev.cairn.registry;

import dev.cairn.model.CairnException;
import dev.cairn.oci.OciDigest;
import java.util.List;

/**
 * A pushed manifest names blobs (config, layers) or manifests (an index's entries) the repository does not hold (the
 * spec's {@code MANIFEST_BLOB_UNKNOWN}); the manifest was not stored.
 */
public final class ManifestBlobUnknownException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final transient List<OciDigest> missing;

    public ManifestBlobUnknownException(RepositoryName repository, List<OciDigest> missing) {
        super("manifest names " + missing.size() + " blob(s) unknown to repository " + repository + ": "
                + missing.stream().limit(5).map(OciDigest::toString).reduce((a, b) -> a + ", " + b).orElse("")
                + (missing.size() > 5 ? ", …" : ""));
        this.missing = List.copyOf(missing);
    }

    /** The digests named and not held, in the manifest's order. */
    public List<OciDigest> missing() {
        return missing;
    }
}
