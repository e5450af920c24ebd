package dev.cairn.model;

/**
 * An archive entry would write outside its layer folder (absolute path, {@code ..}, through a symlink, a hardlink
 * to outside) or is otherwise refused for safety. The archive was refused whole; nothing of it stays.
 */
public final class UnsafeArchiveException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String entry;

    public UnsafeArchiveException(String entry, String reason) {
        super("unsafe archive entry '" + entry + "': " + reason);
        this.entry = entry;
    }

    /** The entry name as it stood in the archive. */
    public String entry() {
        return entry;
    }
}
