package dev.cairn.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A committed image as readers see it: what containers/storage calls an image — a config, the layers it stands on,
 * names — with the manifest and config kept as the exact bytes received, in the store's blobs (docs/IMAGES.md).
 * Immutable.
 *
 * @param id                the config digest's hex
 * @param names             unique among images (a name given to another image moves there), in the order given
 * @param layers            its layers' ids, base first (those of containers/image, {@link LayerId#forDiff})
 * @param manifestDigest    sha256 of the manifest bytes as received
 * @param manifestMediaType the manifest's media type (OCI or Docker schema 2)
 * @param manifestSize      the manifest's size in bytes
 * @param configDigest      sha256 of the config bytes (its hex is {@code id})
 * @param configSize        the config's size in bytes
 * @param created           the config's {@code created} time, else when the image was made in this store
 * @param size              the layers' uncompressed sizes plus the manifest and config, as containers/storage counts
 *                          an image's size
 * @param blobs             every blob the image holds in the store: manifest, config and the layers' blobs as
 *                          received (a layer whose blob is its uncompressed tar holds none: its tar is rebuilt from
 *                          the layer)
 */
public record ImageRecord(ImageId id, List<String> names, List<LayerId> layers, Digest manifestDigest,
                          String manifestMediaType, long manifestSize, Digest configDigest, long configSize,
                          Instant created, long size, List<BlobRef> blobs) {

    public ImageRecord {
        Objects.requireNonNull(id, "id");
        names = List.copyOf(names);
        layers = List.copyOf(layers);
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        Objects.requireNonNull(manifestMediaType, "manifestMediaType");
        Objects.requireNonNull(configDigest, "configDigest");
        Objects.requireNonNull(created, "created");
        blobs = List.copyOf(blobs);
    }

    /** The layer at the top of its stack; empty for an image without layers. */
    public Optional<LayerId> topLayer() {
        return layers.isEmpty() ? Optional.empty() : Optional.of(layers.get(layers.size() - 1));
    }
}
