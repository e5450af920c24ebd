package dev.cairn.store;

import dev.cairn.model.Actor;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

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
 * @param snapshots     when index snapshots are written (and whether they are used at all)
 * @param warnings      told each warning as one line (a snapshot that was ignored); by default printed on stderr,
 *                      prefixed {@code cairn: warning: }
 */
public record StoreOptions(Duration lockTimeout, Duration stagingMaxAge, Actor actor, boolean syncfs,
                           boolean unsafeNoSync, SnapshotPolicy snapshots, Consumer<String> warnings) {

    /** Prints a warning as one line on stderr. */
    public static final Consumer<String> STDERR = line -> System.err.println("cairn: warning: " + line);

    public StoreOptions {
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(warnings, "warnings");
    }

    /**
     * Wait 60 s for the writer lock; keep finished stagings 7 days; act as this process; sync all, by syncfs; index
     * snapshots by {@link SnapshotPolicy#DEFAULT}; warnings on stderr.
     */
    public static StoreOptions defaults() {
        return new StoreOptions(Duration.ofSeconds(60), Duration.ofDays(7), Actor.process(), true, false,
                SnapshotPolicy.DEFAULT, STDERR);
    }

    /** See {@link StoreOptions#snapshots()}. */
    public StoreOptions withSnapshots(SnapshotPolicy p) {
        return new StoreOptions(lockTimeout, stagingMaxAge, actor, syncfs, unsafeNoSync, p, warnings);
    }

    /** See {@link StoreOptions#warnings()}. */
    public StoreOptions withWarnings(Consumer<String> w) {
        return new StoreOptions(lockTimeout, stagingMaxAge, actor, syncfs, unsafeNoSync, snapshots, w);
    }

    public StoreOptions withLockTimeout(Duration d) {
        return new StoreOptions(d, stagingMaxAge, actor, syncfs, unsafeNoSync, snapshots, warnings);
    }

    public StoreOptions withStagingMaxAge(Duration d) {
        return new StoreOptions(lockTimeout, d, actor, syncfs, unsafeNoSync, snapshots, warnings);
    }

    public StoreOptions withActor(Actor a) {
        return new StoreOptions(lockTimeout, stagingMaxAge, a, syncfs, unsafeNoSync, snapshots, warnings);
    }

    /** See {@link StoreOptions#syncfs()}. */
    public StoreOptions withSyncfs(boolean b) {
        return new StoreOptions(lockTimeout, stagingMaxAge, actor, b, unsafeNoSync, snapshots, warnings);
    }

    /** See {@link StoreOptions}: data written this way is not durable until the OS flushes it. */
    public StoreOptions withUnsafeNoSync(boolean b) {
        return new StoreOptions(lockTimeout, stagingMaxAge, actor, syncfs, b, snapshots, warnings);
    }
}
