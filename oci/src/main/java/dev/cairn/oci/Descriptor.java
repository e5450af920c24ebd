package dev.cairn.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.InvalidImageException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An OCI content descriptor: what a blob is ({@code mediaType}), its {@code digest} and {@code size}, and optionally
 * {@code urls} it may be fetched from, {@code annotations}, the {@code platform} of the image it points at (index
 * entries) and its {@code artifactType}. Docker schema 2 descriptors are the same object without the last three.
 * An embedded {@code data} field is checked against digest and size when read, and not kept. Immutable and
 * thread-safe.
 */
public record Descriptor(String mediaType, OciDigest digest, long size, List<String> urls,
                         Map<String, String> annotations, Optional<Platform> platform, Optional<String> artifactType) {

    /** The annotation that names a tag in an image layout's {@code index.json}. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    /** The image spec's empty descriptor's blob, {@code {}}, for artifacts that have no config. */
    public static final byte[] EMPTY_JSON = {'{', '}'};

    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        urls = List.copyOf(urls);
        annotations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(artifactType, "artifactType");
    }

    /** A plain descriptor: media type, digest and size. */
    public static Descriptor of(String mediaType, OciDigest digest, long size) {
        return new Descriptor(mediaType, digest, size, List.of(), Map.of(), Optional.empty(), Optional.empty());
    }

    /** The descriptor of the given bytes (sha256), as Cairn describes a document it writes. */
    public static Descriptor of(String mediaType, byte[] content) {
        return of(mediaType, OciDigest.sha256(content), content.length);
    }

    /** This descriptor with one annotation set (or replaced). */
    public Descriptor withAnnotation(String key, String value) {
        Map<String, String> a = new LinkedHashMap<>(annotations);
        a.put(key, value);
        return new Descriptor(mediaType, digest, size, urls, a, platform, artifactType);
    }

    /** This descriptor with the platform of the image it points at. */
    public Descriptor withPlatform(Platform p) {
        return new Descriptor(mediaType, digest, size, urls, annotations, Optional.of(p), artifactType);
    }

    /** The tag this descriptor carries in an image layout's {@code index.json}, if any. */
    public Optional<String> refName() {
        return Optional.ofNullable(annotations.get(REF_NAME));
    }

    /**
     * Reads a descriptor object. Required: {@code mediaType} (RFC 6838), {@code digest} (the digest grammar),
     * {@code size} (a non-negative integer).
     */
    static Descriptor parse(Json json, JsonNode node, String path) throws InvalidImageException {
        if (!node.isObject()) {
            throw json.invalid(path, "want a descriptor object, got " + Json.kind(node));
        }
        String mediaType = json.string(node, "mediaType", path);
        if (!MediaTypes.isWellFormed(mediaType)) {
            throw json.invalid(Json.path(path, "mediaType"), "not a media type: '" + mediaType + "'");
        }
        OciDigest digest = json.digest(node, "digest", path);
        long size = json.integer(node, "size", path);
        if (size < 0) {
            throw json.invalid(Json.path(path, "size"), "negative: " + size);
        }
        Optional<String> artifactType = json.optString(node, "artifactType", path);
        if (artifactType.isPresent() && !MediaTypes.isWellFormed(artifactType.get())) {
            throw json.invalid(Json.path(path, "artifactType"), "not a media type: '" + artifactType.get() + "'");
        }
        Optional<Platform> platform = Optional.empty();
        Optional<JsonNode> p = json.optObject(node, "platform", path);
        if (p.isPresent()) {
            platform = Optional.of(Platform.parse(json, p.get(), Json.path(path, "platform")));
        }
        Optional<String> data = json.optString(node, "data", path);
        if (data.isPresent()) {
            checkData(json, Json.path(path, "data"), data.get(), digest, size);
        }
        return new Descriptor(mediaType, digest, size, json.strings(node, "urls", path),
                json.stringMap(node, "annotations", path), platform, artifactType);
    }

    private static void checkData(Json json, String path, String base64, OciDigest digest, long size)
            throws InvalidImageException {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw json.invalid(path, "not base64");
        }
        if (bytes.length != size) {
            throw json.invalid(path, "holds " + bytes.length + " bytes, the descriptor says " + size);
        }
        if (digest.verifiable()) {
            MessageDigest md;
            try {
                md = digest.newHasher(json.document());
            } catch (dev.cairn.model.UnsupportedImageException e) {
                throw new IllegalStateException(e);
            }
            OciDigest actual = digest.withHash(md.digest(bytes));
            if (!actual.equals(digest)) {
                throw json.invalid(path, "its digest is " + actual + ", the descriptor says " + digest);
            }
        }
    }

    /**
     * The descriptor as JSON, absent optional fields left out, fields in the order of the image spec's Go types
     * (which skopeo and umoci write): mediaType, digest, size, urls, annotations, platform, artifactType.
     */
    ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("mediaType", mediaType);
        n.put("digest", digest.toString());
        n.put("size", size);
        if (!urls.isEmpty()) {
            urls.forEach(n.putArray("urls")::add);
        }
        if (!annotations.isEmpty()) {
            ObjectNode a = n.putObject("annotations");
            annotations.forEach(a::put);
        }
        platform.ifPresent(p -> n.set("platform", p.toJson()));
        artifactType.ifPresent(t -> n.put("artifactType", t));
        return n;
    }
}
