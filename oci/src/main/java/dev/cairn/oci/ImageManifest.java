package dev.cairn.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.InvalidImageException;
import java.util.ArrayList;
import java.util.List;

/**
 * An image manifest, OCI v1 ({@link MediaTypes#OCI_MANIFEST}) or Docker schema 2 ({@link MediaTypes#DOCKER_MANIFEST}):
 * a config descriptor and the layer descriptors, base layer first, kept as the exact bytes received.
 *
 * <p>Checked on reading: {@code schemaVersion} 2; the document's {@code mediaType}, required for Docker, equal to
 * the type it is read as; no {@code manifests} field (an index's); {@code config} and {@code layers} present and every
 * descriptor in them valid; for OCI, {@code artifactType} set where the config is the empty descriptor. Layer and
 * config media types are not judged here (an artifact is a valid manifest); {@link Image} judges them when it is to
 * be applied. Immutable and thread-safe.
 */
public final class ImageManifest extends ManifestBase implements ManifestDocument {

    private final Descriptor config;
    private final List<Descriptor> layers;

    private ImageManifest(byte[] bytes, String mediaType, Json json, ObjectNode root, Descriptor config,
                          List<Descriptor> layers) throws InvalidImageException {
        super(bytes, mediaType, json, root);
        this.config = config;
        this.layers = List.copyOf(layers);
    }

    /**
     * Reads an image manifest.
     *
     * @param mediaType {@link MediaTypes#OCI_MANIFEST} or {@link MediaTypes#DOCKER_MANIFEST}
     * @throws InvalidImageException if the bytes are not such a manifest; the message names the manifest by digest
     *                               and the field
     */
    public static ImageManifest parse(byte[] bytes, String mediaType) throws InvalidImageException {
        if (!MediaTypes.isImageManifest(mediaType)) {
            throw new IllegalArgumentException("not an image manifest media type: " + mediaType);
        }
        byte[] copy = bytes.clone();
        OciDigest digest = OciDigest.sha256(copy);
        Json json = new Json("image manifest " + digest);
        ObjectNode root = ManifestDocument.readObject(json, copy);
        ManifestDocument.checkHead(json, root, mediaType, "manifests", null);
        Descriptor config = Descriptor.parse(json, json.object(root, "config", ""), "config");
        List<JsonNode> items = json.array(root, "layers", "");
        List<Descriptor> layers = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            layers.add(Descriptor.parse(json, items.get(i), "layers[" + i + "]"));
        }
        ImageManifest m = new ImageManifest(copy, mediaType, json, root, config, layers);
        if (!m.docker() && config.mediaType().equals(MediaTypes.OCI_EMPTY) && m.artifactType().isEmpty()) {
            throw json.invalid("artifactType", "missing (required where config is the empty descriptor)");
        }
        return m;
    }

    /**
     * Writes a new manifest of a config and layers, as compact JSON in the field order of the spec's Go types
     * (schemaVersion, mediaType, config, layers), for an image whose manifest must be made rather than kept — a
     * store exporting layers it holds only uncompressed, say. Descriptors are written in the same order: OCI's
     * mediaType, digest, size, urls, annotations; Docker's mediaType, size, digest, urls (Docker's own order).
     *
     * <p>For a docker-archive's image this is the manifest containers/image makes (the config descriptor, and per
     * layer its DiffID as digest, its tar's size and Docker's {@code tar.gzip} type): the bytes equal what
     * {@code skopeo inspect --raw docker-archive:...} prints, so its digest is the one skopeo reports.
     *
     * @param mediaType {@link MediaTypes#OCI_MANIFEST} or {@link MediaTypes#DOCKER_MANIFEST}
     */
    public static ImageManifest write(String mediaType, Descriptor config, List<Descriptor> layers) {
        if (!MediaTypes.isImageManifest(mediaType)) {
            throw new IllegalArgumentException("not an image manifest media type: " + mediaType);
        }
        boolean docker = mediaType.equals(MediaTypes.DOCKER_MANIFEST);
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", mediaType);
        root.set("config", docker ? schema2Descriptor(config) : config.toJson());
        ArrayNode l = root.putArray("layers");
        layers.forEach(d -> l.add(docker ? schema2Descriptor(d) : d.toJson()));
        try {
            return parse(Json.write(root), mediaType);
        } catch (InvalidImageException e) {
            throw new IllegalArgumentException("these descriptors make no valid manifest: " + e.getMessage(), e);
        }
    }

    private static ObjectNode schema2Descriptor(Descriptor d) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("mediaType", d.mediaType());
        n.put("size", d.size());
        n.put("digest", d.digest().toString());
        if (!d.urls().isEmpty()) {
            d.urls().forEach(n.putArray("urls")::add);
        }
        return n;
    }

    /** Whether this is a Docker schema 2 manifest (else OCI). */
    public boolean docker() {
        return mediaType().equals(MediaTypes.DOCKER_MANIFEST);
    }

    /** The config's descriptor. */
    public Descriptor config() {
        return config;
    }

    /** The layers' descriptors, base layer first. */
    public List<Descriptor> layers() {
        return layers;
    }

    @Override
    public String toString() {
        return "image manifest " + digest();
    }
}
