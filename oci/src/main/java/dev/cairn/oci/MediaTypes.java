package dev.cairn.oci;

import java.util.regex.Pattern;

/**
 * The media types Cairn knows, by their names in the OCI image spec and in Docker's image manifest v2 schema 2.
 * Descriptors carry media types as strings because a document may name types no one here knows, and storing or copying
 * it must not fail on them (image spec, manifest and index sections); {@link LayerMediaType} gives meaning to the
 * layer types.
 */
public final class MediaTypes {

    /** An OCI image manifest. */
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** An OCI image index. */
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    /** An OCI image config. */
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    /** The empty descriptor's blob, {@code {}}. */
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    /** The {@code oci-layout} file of an image layout. */
    public static final String OCI_LAYOUT_HEADER = "application/vnd.oci.layout.header.v1+json";
    /** A Docker image manifest, schema 2. */
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    /** A Docker manifest list (Docker's image index). */
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** A Docker image config. */
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    /** Docker schema 1, unsigned; recognised only to be refused by name. */
    public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
    /** Docker schema 1, signed; recognised only to be refused by name. */
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /** RFC 6838 section 4.2: {@code type/subtype}, each a restricted name, with optional parameters. */
    private static final Pattern RFC6838 = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\\s*;.*)?");

    private MediaTypes() {
    }

    /** Whether the text is a media type by RFC 6838's naming rules, as every descriptor's must be. */
    public static boolean isWellFormed(String mediaType) {
        return mediaType != null && RFC6838.matcher(mediaType).matches();
    }

    /** An image manifest, OCI or Docker schema 2. */
    public static boolean isImageManifest(String mediaType) {
        return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
    }

    /** An image index, OCI or a Docker manifest list. */
    public static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    /** An image config, OCI or Docker. */
    public static boolean isImageConfig(String mediaType) {
        return OCI_CONFIG.equals(mediaType) || DOCKER_CONFIG.equals(mediaType);
    }

    /** Docker schema 1, which Cairn does not read. */
    public static boolean isSchema1(String mediaType) {
        return DOCKER_SCHEMA1.equals(mediaType) || DOCKER_SCHEMA1_SIGNED.equals(mediaType);
    }
}
