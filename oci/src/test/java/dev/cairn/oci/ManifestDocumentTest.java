package dev.cairn.oci;

import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.InvalidImageException;
import dev.cairn.model.UnsupportedImageException;
import org.junit.jupiter.api.Test;

class ManifestDocumentTest {

    private static final byte[] INDEX = utf8("{\"schemaVersion\":2,\"manifests\":[]}");

    @Test
    void readsByTheMediaTypeItIsGiven() throws Exception {
        assertThat(ManifestDocument.parse(INDEX, MediaTypes.OCI_INDEX)).isInstanceOf(ImageIndex.class);
        byte[] m = utf8("{\"schemaVersion\":2,\"config\":" + TestImages.descriptor(MediaTypes.OCI_CONFIG, utf8("{}"))
                + ",\"layers\":[]}");
        ManifestDocument doc = ManifestDocument.parse(m, MediaTypes.OCI_MANIFEST);
        assertThat(doc).isInstanceOf(ImageManifest.class);
        assertThat(doc.descriptor()).isEqualTo(Descriptor.of(MediaTypes.OCI_MANIFEST, m));
        assertThatThrownBy(() -> ManifestDocument.parse(INDEX, MediaTypes.OCI_MANIFEST))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("manifests: not a field");
    }

    @Test
    void schema1AndTypesThatAreNoManifestAreUnsupported() {
        assertThatThrownBy(() -> ManifestDocument.parse(utf8("{\"schemaVersion\":1}"), MediaTypes.DOCKER_SCHEMA1))
                .isInstanceOf(UnsupportedImageException.class).hasMessageContaining("schema 1");
        assertThatThrownBy(() -> ManifestDocument.parse(INDEX, "application/json"))
                .isInstanceOf(UnsupportedImageException.class).hasMessageContaining("application/json");
    }

    @Test
    void aManifestOverFourMebibytesIsRefusedBeforeItIsParsed() {
        byte[] huge = new byte[ManifestDocument.MAX_SIZE + 1];
        assertThatThrownBy(() -> ManifestDocument.parse(huge, MediaTypes.OCI_INDEX))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("more than the");
    }
}
