package dev.cairn.model;

import java.io.IOException;

/**
 * The root of Cairn's expected outcomes: each subtype is one distinct case a caller can catch without reading a
 * message, the way {@link java.nio.file.NoSuchFileException} is for files. Messages name the thing concerned and
 * fit on one line. Plain {@link IOException}s (with a path) are failures of the machine, not of the request.
 */
public abstract class CairnException extends IOException {
    private static final long serialVersionUID = 1L;

    protected CairnException(String message) {
        super(message);
    }

    protected CairnException(String message, Throwable cause) {
        super(message, cause);
    }
}
