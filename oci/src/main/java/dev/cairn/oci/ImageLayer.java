package dev.cairn.oci;

/**
 * One layer of an {@link Image}: its blob as the manifest describes it, the DiffID the config promises for it, and
 * what its media type says it is. Immutable and thread-safe.
 *
 * @param index     its position, 0 for the base layer
 * @param blob      the layer's descriptor in the manifest (for a docker-archive: digest = DiffID, see
 *                  {@link #uncompressed()})
 * @param diffId    {@code rootfs.diff_ids[index]}: the sha of the uncompressed tar, which the layer applied must have
 * @param mediaType the known layer type of {@code blob.mediaType()}
 */
public record ImageLayer(int index, Descriptor blob, OciDigest diffId, LayerMediaType mediaType) {

    /** Whether the blob is the uncompressed tar itself: its digest is its DiffID. */
    public boolean uncompressed() {
        return blob.digest().equals(diffId);
    }

    /** Names the layer in messages: {@code layer 2 (sha256:...)}. */
    @Override
    public String toString() {
        return "layer " + index + " (" + blob.digest() + ")";
    }
}
