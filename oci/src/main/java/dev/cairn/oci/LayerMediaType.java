package dev.cairn.oci;

import dev.cairn.model.Compression;
import java.util.Arrays;
import java.util.Optional;

/**
 * The layer media types Cairn can apply: tar, tar+gzip and tar+zstd, by their OCI and Docker names, and the
 * non-distributable (OCI, deprecated) and foreign (Docker) variants of them.
 *
 * <p><b>Non-distributable and foreign layers are kept, not refused</b>: such a layer is an ordinary tar whose owner
 * asks that it not be pushed to other registries; where its blob is present (in the layout or archive being read) it
 * is read and verified like any other, and its descriptor — media type and {@code urls} — is kept so that an export
 * reproduces the manifest byte for byte. Where its blob is absent (the usual case: it lives at its {@code urls}), the
 * image cannot be read: Cairn fetches nothing from the network, and says so. Whether a registry front may serve such
 * a blob is that front's policy, told by {@link #distributable()}.
 *
 * <p>{@link #compression()} is what the name declares. Docker's {@code tar.gzip} name is also used for uncompressed
 * tars (containers/image writes it for docker-archive layers; Docker and containers/image sniff the bytes), so a
 * reader that extracts a layer detects its compression from the first bytes and treats this as a hint.
 */
public enum LayerMediaType {
    OCI_TAR("application/vnd.oci.image.layer.v1.tar", Compression.NONE, true),
    OCI_TAR_GZIP("application/vnd.oci.image.layer.v1.tar+gzip", Compression.GZIP, true),
    OCI_TAR_ZSTD("application/vnd.oci.image.layer.v1.tar+zstd", Compression.ZSTD, true),
    OCI_NONDISTRIBUTABLE_TAR("application/vnd.oci.image.layer.nondistributable.v1.tar", Compression.NONE, false),
    OCI_NONDISTRIBUTABLE_TAR_GZIP("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            Compression.GZIP, false),
    OCI_NONDISTRIBUTABLE_TAR_ZSTD("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
            Compression.ZSTD, false),
    /** Not in Docker's schema 2 text, but named by containers/image for uncompressed layers. */
    DOCKER_TAR("application/vnd.docker.image.rootfs.diff.tar", Compression.NONE, true),
    DOCKER_TAR_GZIP("application/vnd.docker.image.rootfs.diff.tar.gzip", Compression.GZIP, true),
    DOCKER_FOREIGN_TAR("application/vnd.docker.image.rootfs.foreign.diff.tar", Compression.NONE, false),
    DOCKER_FOREIGN_TAR_GZIP("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", Compression.GZIP, false);

    private final String mediaType;
    private final Compression compression;
    private final boolean distributable;

    LayerMediaType(String mediaType, Compression compression, boolean distributable) {
        this.mediaType = mediaType;
        this.compression = compression;
        this.distributable = distributable;
    }

    /** The known layer type of this name, if it is one. */
    public static Optional<LayerMediaType> of(String mediaType) {
        return Arrays.stream(values()).filter(t -> t.mediaType.equals(mediaType)).findFirst();
    }

    /**
     * The distributable layer type for bytes of the given compression, under OCI or Docker names. Docker has no zstd
     * layer name.
     *
     * @throws IllegalArgumentException for zstd under Docker names
     */
    public static LayerMediaType forCompression(Compression compression, boolean docker) {
        return switch (compression) {
            case NONE -> docker ? DOCKER_TAR : OCI_TAR;
            case GZIP -> docker ? DOCKER_TAR_GZIP : OCI_TAR_GZIP;
            case ZSTD -> {
                if (docker) {
                    throw new IllegalArgumentException("Docker schema 2 has no zstd layer media type");
                }
                yield OCI_TAR_ZSTD;
            }
        };
    }

    /** The media type string. */
    public String mediaType() {
        return mediaType;
    }

    /** The compression the name declares (see the class comment for Docker's gzip name). */
    public Compression compression() {
        return compression;
    }

    /** False for non-distributable (OCI) and foreign (Docker) layers. */
    public boolean distributable() {
        return distributable;
    }

    /** Whether this is one of Docker's names (allowed in a Docker schema 2 manifest) rather than OCI's. */
    public boolean docker() {
        return mediaType.startsWith("application/vnd.docker.");
    }
}
