package dev.cairn.oci;

import static dev.cairn.oci.TestImages.descriptor;
import static dev.cairn.oci.TestImages.tar;
import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.InvalidImageException;
import dev.cairn.model.UnsupportedImageException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageTest {

    private static final byte[] TAR = tar("a", "a");
    private static final byte[] CONFIG = TestImages.config("linux", "amd64", List.of(TAR));

    private static ImageManifest manifest(String mediaType, String configType, String layerType) throws Exception {
        return manifest(mediaType, configType, layerType, CONFIG);
    }

    private static ImageManifest manifest(String mediaType, String configType, String layerType, byte[] config)
            throws Exception {
        return ImageManifest.parse(utf8("{\"schemaVersion\":2,\"mediaType\":\"" + mediaType + "\",\"config\":"
                + descriptor(configType, config) + ",\"layers\":[" + descriptor(layerType, TAR) + "]}"), mediaType);
    }

    @Test
    void pairsEachLayerWithItsDiffId() throws Exception {
        ImageManifest m = manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, LayerMediaType.OCI_TAR.mediaType());
        Image.checkConfigType(m);
        Image image = Image.of(List.of(), m, ImageConfig.parse(CONFIG, MediaTypes.OCI_CONFIG), List.of("v1"));
        ImageLayer l = image.layers().get(0);
        assertThat(l.diffId()).isEqualTo(OciDigest.sha256(TAR));
        assertThat(l.uncompressed()).isTrue();
        assertThat(l).hasToString("layer 0 (" + OciDigest.sha256(TAR) + ")");
        assertThat(image.id()).isEqualTo(OciDigest.sha256(CONFIG));
    }

    @Test
    void layerTypesMustBeOfTheManifestsFamily() throws Exception {
        ImageManifest docker = manifest(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_CONFIG,
                LayerMediaType.OCI_TAR_GZIP.mediaType());
        assertThatThrownBy(() -> Image.of(List.of(), docker, ImageConfig.parse(CONFIG, MediaTypes.DOCKER_CONFIG),
                List.of())).isInstanceOf(UnsupportedImageException.class).hasMessageContaining("layers[0]");
        assertThatThrownBy(() -> Image.checkConfigType(manifest(MediaTypes.DOCKER_MANIFEST, MediaTypes.OCI_CONFIG,
                LayerMediaType.DOCKER_TAR_GZIP.mediaType()))).isInstanceOf(UnsupportedImageException.class);
    }

    @Test
    void anArtifactIsNoImage() throws Exception {
        assertThatThrownBy(() -> Image.checkConfigType(manifest(MediaTypes.OCI_MANIFEST, "application/x.helm.config",
                LayerMediaType.OCI_TAR.mediaType()))).isInstanceOf(UnsupportedImageException.class)
                .hasMessageContaining("application/x.helm.config");
    }

    @Test
    void aSha512DiffIdOrAMissingOneIsRefused() throws Exception {
        String layer = LayerMediaType.OCI_TAR.mediaType();
        byte[] sha512 = utf8(new String(CONFIG, java.nio.charset.StandardCharsets.UTF_8)
                .replace(OciDigest.sha256(TAR).toString(), "sha512:" + "0".repeat(128)));
        ImageManifest m512 = manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, layer, sha512);
        assertThatThrownBy(() -> Image.of(List.of(), m512, ImageConfig.parse(sha512, MediaTypes.OCI_CONFIG), List.of()))
                .isInstanceOf(UnsupportedImageException.class).hasMessageContaining("rootfs.diff_ids[0]");
        byte[] none = TestImages.config("linux", "amd64", List.of());
        ImageManifest m = manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, layer, none);
        assertThatThrownBy(() -> Image.of(List.of(), m, ImageConfig.parse(none, MediaTypes.OCI_CONFIG), List.of()))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("0 rootfs.diff_ids");
    }

    @Test
    void theConfigMustBeTheOneTheManifestNames() throws Exception {
        ImageManifest m = manifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, LayerMediaType.OCI_TAR.mediaType());
        byte[] other = TestImages.config("linux", "arm64", List.of(TAR));
        assertThatThrownBy(() -> Image.of(List.of(), m, ImageConfig.parse(other, MediaTypes.OCI_CONFIG), List.of()))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("its config is");
    }
}
