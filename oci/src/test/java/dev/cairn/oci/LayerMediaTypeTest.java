package dev.cairn.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LayerMediaTypeTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "application/vnd.oci.image.layer.v1.tar, NONE, true, false",
        "application/vnd.oci.image.layer.v1.tar+gzip, GZIP, true, false",
        "application/vnd.oci.image.layer.v1.tar+zstd, ZSTD, true, false",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip, GZIP, false, false",
        "application/vnd.docker.image.rootfs.diff.tar.gzip, GZIP, true, true",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip, GZIP, false, true",
    })
    void namesTellCompressionDistributionAndFamily(String name, Compression c, boolean distributable, boolean docker) {
        LayerMediaType t = LayerMediaType.of(name).orElseThrow();
        assertThat(t.compression()).isEqualTo(c);
        assertThat(t.distributable()).isEqualTo(distributable);
        assertThat(t.docker()).isEqualTo(docker);
        assertThat(t.mediaType()).isEqualTo(name);
    }

    @Test
    void unknownAndEncryptedTypesAreNoLayerTypes() {
        assertThat(LayerMediaType.of("application/vnd.oci.image.layer.v1.tar+gzip+encrypted")).isEmpty();
        assertThat(LayerMediaType.of("application/octet-stream")).isEmpty();
    }

    @Test
    void theDistributableTypeForACompression() {
        assertThat(LayerMediaType.forCompression(Compression.ZSTD, false)).isEqualTo(LayerMediaType.OCI_TAR_ZSTD);
        assertThat(LayerMediaType.forCompression(Compression.GZIP, true)).isEqualTo(LayerMediaType.DOCKER_TAR_GZIP);
        assertThatThrownBy(() -> LayerMediaType.forCompression(Compression.ZSTD, true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
