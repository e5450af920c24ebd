package dev.cairn.model;

/** The input is not a readable tar (truncated, garbage, bad compression); nothing of it was kept. */
public final class CorruptArchiveException extends CairnException {
    private static final long serialVersionUID = 1L;

    public CorruptArchiveException(String message) {
        super(message);
    }

    public CorruptArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
