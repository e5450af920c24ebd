package dev.cairn.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.model.InvalidImageException;
import java.util.Map;
import java.util.Optional;

/**
 * What manifests and indexes have alike: the bytes as received and their sha256, the media type they were read as,
 * and the OCI {@code subject}, {@code artifactType} and {@code annotations}, read here so that both read them the
 * same way. Immutable.
 */
abstract class ManifestBase {

    private final byte[] bytes;
    private final String mediaType;
    private final OciDigest digest;
    private final Optional<Descriptor> subject;
    private final Optional<String> artifactType;
    private final Map<String, String> annotations;

    /** Reads the common fields of {@code root}; {@code subject} and {@code artifactType} only for OCI types. */
    ManifestBase(byte[] bytes, String mediaType, Json json, JsonNode root) throws InvalidImageException {
        this.bytes = bytes;
        this.mediaType = mediaType;
        this.digest = OciDigest.sha256(bytes);
        Optional<Descriptor> s = Optional.empty();
        Optional<String> a = Optional.empty();
        if (!mediaType.startsWith("application/vnd.docker.")) {
            Optional<JsonNode> node = json.optObject(root, "subject", "");
            if (node.isPresent()) {
                s = Optional.of(Descriptor.parse(json, node.get(), "subject"));
            }
            a = json.optString(root, "artifactType", "");
            if (a.isPresent() && !MediaTypes.isWellFormed(a.get())) {
                throw json.invalid("artifactType", "not a media type: '" + a.get() + "'");
            }
        }
        this.subject = s;
        this.artifactType = a;
        this.annotations = json.stringMap(root, "annotations", "");
    }

    public String mediaType() {
        return mediaType;
    }

    public OciDigest digest() {
        return digest;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    public Optional<Descriptor> subject() {
        return subject;
    }

    public Optional<String> artifactType() {
        return artifactType;
    }

    public Map<String, String> annotations() {
        return annotations;
    }
}
