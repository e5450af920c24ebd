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
     * The Docker schema 2 manifest containers/image makes for an image read from a docker-archive (which has none):
     * the config descriptor, and per layer its DiffID as digest, its tar's size and Docker's {@code tar.gzip} layer
     * type, in Go's {@code json.Marshal} field order. The bytes equal what {@code skopeo inspect --raw
     * docker-archive:...} prints, so the manifest digest is the one skopeo reports.
     */
    static ImageManifest dockerSchema2(Descriptor config, List<Descriptor> layers) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", MediaTypes.DOCKER_MANIFEST);
        root.set("config", schema2Descriptor(config));
        ArrayNode l = root.putArray("layers");
        layers.forEach(d -> l.add(schema2Descriptor(d)));
        try {
            return parse(Json.write(root), MediaTypes.DOCKER_MANIFEST);
        } catch (InvalidImageException e) {
            throw new IllegalStateException("a manifest Cairn wrote does not read back", e);
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
