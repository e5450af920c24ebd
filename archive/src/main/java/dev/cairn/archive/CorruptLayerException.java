package dev.cairn.archive;

import dev.cairn.model.CairnException;

/**
 * A layer's stored contents no longer reproduce its tar: its {@link TarRecord} is damaged or from a newer Cairn, or
 * a file it names is missing, changed or not a plain file inside the layer. The message names the layer and the
 * file concerned.
 */
public final class CorruptLayerException extends CairnException {
    private static final long serialVersionUID = 1L;

    public CorruptLayerException(String message) {
        super(message);
    }
}
