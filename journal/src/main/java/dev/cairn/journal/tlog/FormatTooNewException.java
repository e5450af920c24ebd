package dev.cairn.journal.tlog;

import dev.cairn.model.CairnException;

import java.nio.file.Path;

/**
 * A file was written by a newer Cairn, in a format version this one does not read. It is left exactly as it is:
 * never taken for damage, never rebuilt or replaced.
 */
public final class FormatTooNewException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final int version;

    /**
     * @param file      the file
     * @param what      what the file is, e.g. "Merkle tree file"
     * @param version   the version it has
     * @param supported the newest version this Cairn reads
     */
    public FormatTooNewException(Path file, String what, int version, int supported) {
        super(file + ": " + what + " written by a newer Cairn, format version " + version
                + "; this Cairn reads format versions up to " + supported);
        this.file = file;
        this.version = version;
    }

    /** The file concerned. */
    public Path file() {
        return file;
    }

    /** The format version the file has. */
    public int version() {
        return version;
    }
}
