package dev.cairn.projection;

import dev.cairn.model.BlobRef;
import dev.cairn.model.Digest;
import dev.cairn.model.ImageId;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.SagaOwner;

import java.time.Instant;
import java.util.List;

/**
 * An image as the index knows it, in any state of the crash protocol. Immutable. {@code names} are empty until it is
 * committed and again once its deletion starts; {@code owner} is the owner of the saga it is in ({@code INCOMPLETE}:
 * the import, {@code REMOVING}: the delete), null when committed. {@code size} is the sum of its layers' uncompressed
 * sizes (as the index knew them when it was created) and of its manifest and config.
 */
public record ImageEntry(ImageId id, ImageState state, List<String> names, List<LayerId> layers,
                         Digest manifestDigest, String manifestMediaType, long manifestSize, Digest configDigest,
                         long configSize, Instant created, long size, List<BlobRef> blobs, SagaOwner owner) {

    public ImageEntry {
        names = List.copyOf(names);
        layers = List.copyOf(layers);
        blobs = List.copyOf(blobs);
    }

    ImageEntry committed(List<String> n) {
        return new ImageEntry(id, ImageState.COMMITTED, n, layers, manifestDigest, manifestMediaType, manifestSize,
                configDigest, configSize, created, size, blobs, null);
    }

    ImageEntry withNames(List<String> n) {
        return new ImageEntry(id, state, n, layers, manifestDigest, manifestMediaType, manifestSize, configDigest,
                configSize, created, size, blobs, owner);
    }

    ImageEntry removing(SagaOwner deleter) {
        return new ImageEntry(id, ImageState.REMOVING, List.of(), layers, manifestDigest, manifestMediaType,
                manifestSize, configDigest, configSize, created, size, blobs, deleter);
    }

    public boolean isCommitted() {
        return state == ImageState.COMMITTED;
    }

    /** The public view; only meaningful for a committed image. */
    public ImageRecord toRecord() {
        if (!isCommitted()) {
            throw new IllegalStateException("image " + id + " is " + state + ", not visible");
        }
        return new ImageRecord(id, names, layers, manifestDigest, manifestMediaType, manifestSize, configDigest,
                configSize, created, size, blobs);
    }
}
