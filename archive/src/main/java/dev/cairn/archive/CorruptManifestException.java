package dev.cairn.archive;

import dev.cairn.model.CairnException;
import java.nio.file.Path;

/**
 * A layer manifest cannot be trusted: bad header, unknown version, malformed line or failed checksum. The layer's
 * recorded contents are unknown; its files may still be intact.
 */
public final class CorruptManifestException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public CorruptManifestException(Path file, String reason) {
        super("layer manifest " + file + ": " + reason);
        this.file = file;
    }

    /** The manifest file concerned. */
    public Path file() {
        return file;
    }
}
