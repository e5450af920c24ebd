package dev.cairn.store.internal;

import dev.cairn.model.ReadOnlyStoreException;
import dev.cairn.recovery.SagaLocks;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The store's {@link SagaLocks}: owner locks in {@code <root>/owners/} through {@link LockFiles}, and the writers'
 * lock. A read-only store only probes ({@link #alive}); taking anything is refused. Thread-safe.
 */
public final class StoreLocks implements SagaLocks {

    private final StoreLayout layout;
    private final StoreLock writers;
    private final Duration timeout;

    /** {@code writers} is null for a read-only store. */
    public StoreLocks(StoreLayout layout, StoreLock writers, Duration timeout) {
        this.layout = layout;
        this.writers = writers;
        this.timeout = timeout;
    }

    /** A new lock, for a saga about to start. */
    public LockFiles.Owned create(String lock) throws IOException {
        requireWritable();
        return LockFiles.create(layout.ownerLock(lock));
    }

    /** {@link #adopt}, as the {@link LockFiles.Owned} the store's sagas use. */
    public Optional<LockFiles.Owned> take(String lock) throws IOException {
        requireWritable();
        return LockFiles.adopt(layout.ownerLock(lock));
    }

    @Override
    public Optional<Held> adopt(String lock) throws IOException {
        requireWritable();
        return layout.adopt(lock);
    }

    @Override
    public boolean alive(String lock) throws IOException {
        return layout.alive(lock);
    }

    @Override
    public Held writers() throws IOException {
        requireWritable();
        StoreLock.Hold hold = writers.acquire(timeout);
        return StoreLayout.held(hold);
    }

    @Override
    public List<String> lockFiles() throws IOException {
        return layout.lockFiles();
    }

    @Override
    public void forgetUnfinishedLockFiles() throws IOException {
        requireWritable();
        layout.forgetUnfinishedLockFiles();
    }

    private void requireWritable() throws ReadOnlyStoreException {
        if (writers == null) {
            throw new ReadOnlyStoreException(layout.root().toString());
        }
    }
}
