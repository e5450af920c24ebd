package dev.cairn.oci;

import dev.cairn.model.InvalidImageException;
import dev.cairn.model.UnsupportedImageException;
import java.util.Map;
import java.util.Optional;

/**
 * A manifest in the distribution API's sense: an {@link ImageManifest} or an {@link ImageIndex}, kept as the exact
 * bytes received. Its {@link #digest()} is the sha256 of those bytes, never of a re-serialisation, so it can be stored
 * and served again with the same digest. Implementations are immutable and thread-safe.
 */
public sealed interface ManifestDocument permits ImageManifest, ImageIndex {

    /** The largest manifest or index read into memory (4 MiB, as CNCF distribution and containers/image). */
    int MAX_SIZE = 4 << 20;

    /** The media type it was read as. */
    String mediaType();

    /** The sha256 of {@link #bytes()}. */
    OciDigest digest();

    /** A copy of the bytes as received. */
    byte[] bytes();

    /** The size of {@link #bytes()}. */
    int size();

    /** The manifest this one refers to ({@code subject}, the referrers API's link), OCI only. */
    Optional<Descriptor> subject();

    /** Its {@code artifactType}, OCI only. */
    Optional<String> artifactType();

    Map<String, String> annotations();

    /** A descriptor of these bytes under their media type (sha256), with no annotations. */
    default Descriptor descriptor() {
        return Descriptor.of(mediaType(), digest(), size());
    }

    /**
     * Reads a manifest or index as the media type says it is (a descriptor's, or a registry client's
     * {@code Content-Type}). Unknown layer, config and entry media types inside it are not errors: a registry stores
     * and copies what it does not understand.
     *
     * @throws InvalidImageException     if the bytes are not that document (JSON, required fields, a {@code mediaType}
     *                                   field that says otherwise, fields of the other document type)
     * @throws UnsupportedImageException for Docker schema 1 and media types that are no manifest or index
     */
    static ManifestDocument parse(byte[] bytes, String mediaType) throws InvalidImageException,
            UnsupportedImageException {
        checkReadable(mediaType, "manifest " + OciDigest.sha256(bytes));
        return MediaTypes.isImageManifest(mediaType) ? ImageManifest.parse(bytes, mediaType)
                : ImageIndex.parse(bytes, mediaType);
    }

    /**
     * Checks that a media type is one of the manifests and indexes Cairn reads, before anything is read by it.
     *
     * @param what names the document in the error
     * @throws UnsupportedImageException for Docker schema 1 and media types that are no manifest or index
     */
    static void checkReadable(String mediaType, String what) throws UnsupportedImageException {
        if (MediaTypes.isImageManifest(mediaType) || MediaTypes.isIndex(mediaType)) {
            return;
        }
        if (MediaTypes.isSchema1(mediaType)) {
            throw new UnsupportedImageException(what, "Docker schema 1 (" + mediaType + ") is deprecated and not read;"
                    + " convert it to schema 2 or OCI first (e.g. skopeo copy --format v2s2)");
        }
        throw new UnsupportedImageException(what, "media type " + mediaType + " is no image manifest or index");
    }

    /** Reads the bytes as a JSON object, after checking they are within {@link #MAX_SIZE}. */
    static com.fasterxml.jackson.databind.node.ObjectNode readObject(Json json, byte[] bytes)
            throws InvalidImageException {
        if (bytes.length > MAX_SIZE) {
            throw new InvalidImageException(json.document(), bytes.length + " bytes, more than the " + MAX_SIZE
                    + " a manifest may have");
        }
        return json.object(bytes);
    }

    /** Checks the common head of both: {@code schemaVersion} 2 and the document's own {@code mediaType}. */
    static void checkHead(Json json, com.fasterxml.jackson.databind.JsonNode root, String mediaType,
                          String otherTypesField1, String otherTypesField2) throws InvalidImageException {
        long version = json.integer(root, "schemaVersion", "");
        if (version != 2) {
            throw json.invalid("schemaVersion", "want 2, got " + version);
        }
        Optional<String> declared = json.optString(root, "mediaType", "");
        boolean docker = mediaType.startsWith("application/vnd.docker.");
        if (docker && declared.isEmpty()) {
            throw json.invalid("mediaType", "missing (a Docker schema 2 document must name its type)");
        }
        if (declared.isPresent() && !declared.get().equals(mediaType)) {
            throw json.invalid("mediaType", "the document says " + declared.get() + ", it was read as " + mediaType);
        }
        // A document that also has the other type's fields could be read as either (containers/image refuses them too).
        for (String field : new String[] {otherTypesField1, otherTypesField2}) {
            if (field != null && root.has(field)) {
                throw json.invalid(field, "not a field of " + mediaType + " (the document is ambiguous)");
            }
        }
    }
}
