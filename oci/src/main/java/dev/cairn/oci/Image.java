package dev.cairn.oci;

import dev.cairn.model.InvalidImageException;
import dev.cairn.model.UnsupportedImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A container image as read from a source: its manifest and config, exactly as received, and its layers, base first,
 * each with the DiffID it must have. Everything here has been checked to be an image that layers can be applied for:
 *
 * <ul>
 *   <li>the config's media type is an image config (OCI or Docker), not an artifact's;</li>
 *   <li>the manifest has as many layers as the config has DiffIDs;</li>
 *   <li>every layer's media type is a tar, tar+gzip or tar+zstd type of the manifest's own family (OCI names in an
 *       OCI manifest, Docker names in a Docker one, as containers/image requires), non-distributable and foreign ones
 *       included; encrypted and unknown types are refused;</li>
 *   <li>every DiffID is sha256 (the store's layer ids are made of it).</li>
 * </ul>
 *
 * The blobs themselves are verified when they are read ({@link ImageSource#openLayer}). Made only by {@link #of},
 * which checks all of the above. Immutable and thread-safe.
 */
public final class Image {

    private final List<ImageIndex> indexes;
    private final ImageManifest manifest;
    private final ImageConfig config;
    private final List<ImageLayer> layers;
    private final List<String> names;

    private Image(List<ImageIndex> indexes, ImageManifest manifest, ImageConfig config, List<ImageLayer> layers,
                  List<String> names) {
        this.indexes = List.copyOf(indexes);
        this.manifest = manifest;
        this.config = config;
        this.layers = List.copyOf(layers);
        this.names = List.copyOf(names);
    }

    /** The indexes passed through to reach the manifest, outermost first; empty if the reference named a manifest. */
    public List<ImageIndex> indexes() {
        return indexes;
    }

    /** The image manifest, as received (for a docker-archive: the one containers/image makes for it). */
    public ImageManifest manifest() {
        return manifest;
    }

    /** The image config, as received. */
    public ImageConfig config() {
        return config;
    }

    /** The layers, base first. */
    public List<ImageLayer> layers() {
        return layers;
    }

    /** The names the source gives the image: the layout tag, or the docker-archive item's RepoTags as written. */
    public List<String> names() {
        return names;
    }

    /** The image's id in containers/storage terms: the config digest. */
    public OciDigest id() {
        return config.digest();
    }

    /**
     * Checks a manifest and its config for being an applicable image (see the class comment) and pairs each layer
     * with its DiffID; the manifest's config descriptor must be the config's. A store can use it to check again
     * images whose bytes it kept.
     *
     * @param indexes the indexes the manifest was reached through, outermost first
     * @param names   the names the source gives the image
     * @throws UnsupportedImageException for an artifact, a layer type Cairn cannot apply, a non-sha256 DiffID
     * @throws InvalidImageException     where manifest and config disagree (config digest, number of layers)
     */
    public static Image of(List<ImageIndex> indexes, ImageManifest manifest, ImageConfig config, List<String> names)
            throws UnsupportedImageException, InvalidImageException {
        checkConfigType(manifest);
        if (!manifest.config().digest().equals(config.digest()) || manifest.config().size() != config.size()) {
            throw new InvalidImageException(manifest.toString(), "its config is " + manifest.config().digest()
                    + " (" + manifest.config().size() + " bytes), not " + config + " (" + config.size() + " bytes)");
        }
        List<Descriptor> blobs = manifest.layers();
        List<OciDigest> diffIds = config.diffIds();
        if (blobs.size() != diffIds.size()) {
            throw new InvalidImageException(manifest.toString(), blobs.size() + " layers, but its " + config
                    + " has " + diffIds.size() + " rootfs.diff_ids");
        }
        List<ImageLayer> layers = new ArrayList<>(blobs.size());
        for (int i = 0; i < blobs.size(); i++) {
            Descriptor blob = blobs.get(i);
            String what = manifest + " layers[" + i + "] " + blob.digest();
            Optional<LayerMediaType> type = LayerMediaType.of(blob.mediaType());
            if (type.isEmpty()) {
                throw new UnsupportedImageException(what, "layer media type " + blob.mediaType() + " cannot be applied"
                        + (blob.mediaType().contains("encrypted") ? " (encrypted layers are not supported)"
                        : " (Cairn applies tar, tar+gzip and tar+zstd layers)"));
            }
            if (type.get().docker() != manifest.docker()) {
                throw new UnsupportedImageException(what, "layer media type " + blob.mediaType() + " is not one of "
                        + (manifest.docker() ? "Docker schema 2's" : "OCI's") + " (a " + manifest.mediaType()
                        + " must use its own family's layer types)");
            }
            OciDigest diffId = diffIds.get(i);
            if (!diffId.algorithm().equals(OciDigest.SHA256)) {
                throw new UnsupportedImageException(config + " rootfs.diff_ids[" + i + "]",
                        "DiffID " + diffId + " is not sha256, which layer ids are made of");
            }
            layers.add(new ImageLayer(i, blob, diffId, type.get()));
        }
        return new Image(indexes, manifest, config, layers, names);
    }

    @Override
    public String toString() {
        return "image " + config.digest() + " (" + manifest + ")";
    }

    /** Checks that a manifest's config is an image config (not an artifact's) before it is read. */
    static void checkConfigType(ImageManifest manifest) throws UnsupportedImageException {
        String type = manifest.config().mediaType();
        if (!MediaTypes.isImageConfig(type)) {
            throw new UnsupportedImageException(manifest.toString(), "config media type " + type
                    + " is not an image config" + manifest.artifactType().map(a -> " (an artifact of type " + a + ")")
                    .orElse("") + "; only container images can be applied");
        }
        if (manifest.docker() != type.equals(MediaTypes.DOCKER_CONFIG)) {
            throw new UnsupportedImageException(manifest.toString(), "config media type " + type
                    + " does not belong in a " + manifest.mediaType());
        }
    }
}
