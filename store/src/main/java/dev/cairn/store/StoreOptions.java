package dev.cairn.store;

import dev.cairn.model.Actor;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link LayerStore} behaves. Immutable; start from {@link #defaults()} and change with the withers.
 *
 * @param lockTimeout   how long a write waits for another writer's critical section before
 *                      {@link dev.cairn.model.StoreLockedException}
 * @param stagingMaxAge a finished but never applied staging older than this is discarded by recovery at open;
 *                      null keeps them forever
 * @param actor         who the events this store appends are attributed to
 * @param syncfs        make each extracted layer durable with one syncfs(2) of the store's file system instead of
 *                      an fsync per file (Linux 5.8 and later; elsewhere each file is fsynced anyway). Faster for
 *                      layers of many files (docs/RELIABILITY.md), but it also flushes other programs' data on that
 *                      file system: a store on a busy shared file system may turn it off
 * @param unsafeNoSync  skips the fsync of extracted files (the journal is always synced). Only for benchmarks
 *                      and throw-away stores: a power loss can then leave a committed layer with missing data.
 */
public record StoreOptions(Duration lockTimeout, Duration stagingMaxAge, Actor actor, boolean syncfs,
                           boolean unsafeNoSync) {

    public StoreOptions {
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        Objects.requireNonNull(actor, "actor");
    }

    /** Wait 60 s for the writer lock; keep finished stagings 7 days; act as this process; sync all, by syncfs. */
    public static StoreOptions defaults() {
        return new StoreOptions(Duration.ofSeconds(60), Duration.ofDays(7), Actor.process(), true, false);
    }

    public StoreOptions withLockTimeout(Duration d) {
        return new StoreOptions(d, stagingMaxAge, actor, syncfs, unsafeNoSync);
    }

    public StoreOptions withStagingMaxAge(Duration d) {
        return new StoreOptions(lockTimeout, d, actor, syncfs, unsafeNoSync);
    }

    public StoreOptions withActor(Actor a) {
        return new StoreOptions(lockTimeout, stagingMaxAge, a, syncfs, unsafeNoSync);
    }

    /** See {@link StoreOptions#syncfs()}. */
    public StoreOptions withSyncfs(boolean b) {
        return new StoreOptions(lockTimeout, stagingMaxAge, actor, b, unsafeNoSync);
    }

    /** See {@link StoreOptions}: data written this way is not durable until the OS flushes it. */
    public StoreOptions withUnsafeNoSync(boolean b) {
        return new StoreOptions(lockTimeout, stagingMaxAge, actor, syncfs, b);
    }
}
