package dev.cairn.model;

import java.nio.file.Path;
import java.time.Duration;

/** Another process held the store's writer lock for longer than this one was willing to wait. */
public final class StoreLockedException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final transient Path lockFile;

    public StoreLockedException(Path lockFile, Duration waited) {
        super("store is locked by another writer: gave up on " + lockFile + " after " + waited.toMillis() + " ms");
        this.lockFile = lockFile;
    }

    public Path lockFile() {
        return lockFile;
    }
}
