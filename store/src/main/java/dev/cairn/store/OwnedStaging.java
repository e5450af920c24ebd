package dev.cairn.store;

import dev.cairn.store.internal.LockFiles;

import java.io.IOException;

/**
 * A diff staged by this process for an image import to come: extracted, hashed and durable like any staging, but
 * {@linkplain dev.cairn.model.Event.StagingStarted#ephemeral ephemeral} — its owner lock is held by this object, so it
 * lives only as long as this process does. An image import given it ({@link LayerStore#importImage(
 * dev.cairn.oci.ImageSource, ImageSpec, java.util.function.LongConsumer, java.util.Map)}) applies it instead of
 * extracting the layer's blob again, and from then on owns it; otherwise {@link #close()} discards it
 * ({@code StagingDiscarded}). A process that dies with it held leaves it to recovery, which removes it (the lock died
 * with the process). This is how a registry stages a layer while its blob streams in (docs/REGISTRY.md).
 *
 * <p>Thread-safe: an import claims it at most once, and a close after the claim does nothing.
 */
public final class OwnedStaging implements AutoCloseable {

    private final LayerWriter writer;
    private final LayerWriter.Staging staging;
    /** Set once an import took it or it was discarded: it is no longer this object's to drop. */
    private boolean done;

    OwnedStaging(LayerWriter writer, LayerWriter.Staging staging) {
        this.writer = writer;
        this.staging = staging;
    }

    /** What was staged: the staging's id, DiffID and sizes. */
    public StagedLayer staged() {
        return staging.staged();
    }

    /** The staging and its held lock, for an import that applies it; null if another took it or it was closed. */
    synchronized LayerWriter.Staging claim() {
        if (done) {
            return null;
        }
        done = true;
        return staging;
    }

    /** Whether an import took it or it was discarded. */
    public synchronized boolean isDone() {
        return done;
    }

    /** Discards the staging ({@code StagingDiscarded} with {@code reason}) unless an import took it. */
    public void discard(String reason) throws IOException {
        LayerWriter.Staging s = claim();
        if (s != null) {
            LockFiles.Owned lock = s.lock();
            writer.dropHeld(s.staged().id(), lock, reason);
        }
    }

    /** {@link #discard} as unclaimed. */
    @Override
    public void close() throws IOException {
        discard("no image import claimed it");
    }
}
