package dev.cairn.oci;

import static dev.cairn.oci.TestImages.descriptor;
import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.InvalidImageException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageManifestTest {

    private static final byte[] CONFIG = utf8("{\"os\":\"linux\"}");
    private static final byte[] LAYER = utf8("layer");
    private static final String OCI_CONFIG = descriptor(MediaTypes.OCI_CONFIG, CONFIG);
    private static final String OCI_LAYER = descriptor(LayerMediaType.OCI_TAR_GZIP.mediaType(), LAYER);

    private static String oci(String extra) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + OCI_CONFIG
                + ",\"layers\":[" + OCI_LAYER + "]" + extra + "}";
    }

    @Test
    void keepsTheExactBytesAndTheirDigest() throws Exception {
        String text = oci("").replace(",", ",\n  ");
        ImageManifest m = ImageManifest.parse(utf8(text), MediaTypes.OCI_MANIFEST);
        assertThat(m.bytes()).isEqualTo(utf8(text));
        assertThat(m.digest()).isEqualTo(OciDigest.sha256(utf8(text)));
        assertThat(m.config().digest()).isEqualTo(OciDigest.sha256(CONFIG));
        assertThat(m.layers()).extracting(Descriptor::size).containsExactly((long) LAYER.length);
        assertThat(m.docker()).isFalse();
        assertThat(m.descriptor()).isEqualTo(Descriptor.of(MediaTypes.OCI_MANIFEST, utf8(text)));
    }

    @Test
    void readsSubjectArtifactTypeAndAnnotations() throws Exception {
        String subject = descriptor(MediaTypes.OCI_MANIFEST, utf8("other"));
        ImageManifest m = ImageManifest.parse(utf8(oci(",\"subject\":" + subject
                + ",\"artifactType\":\"application/vnd.example.sbom\",\"annotations\":{\"a\":\"b\"}")),
                MediaTypes.OCI_MANIFEST);
        assertThat(m.subject()).map(Descriptor::digest).contains(OciDigest.sha256(utf8("other")));
        assertThat(m.artifactType()).contains("application/vnd.example.sbom");
        assertThat(m.annotations()).containsEntry("a", "b");
    }

    @Test
    void theMediaTypeFieldIsOptionalForOciAndRequiredForDocker() throws Exception {
        String noType = "{\"schemaVersion\":2,\"config\":" + OCI_CONFIG + ",\"layers\":[]}";
        assertThat(ImageManifest.parse(utf8(noType), MediaTypes.OCI_MANIFEST).layers()).isEmpty();
        assertThatThrownBy(() -> ImageManifest.parse(utf8(noType), MediaTypes.DOCKER_MANIFEST))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("mediaType: missing");
    }

    @Test
    void aDocumentThatSaysItIsAnotherTypeIsRefused() {
        assertThatThrownBy(() -> ImageManifest.parse(utf8(oci("")), MediaTypes.DOCKER_MANIFEST))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("image manifest sha256:").hasMessageContaining("mediaType")
                .hasMessageContaining(MediaTypes.OCI_MANIFEST);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not JSON                 | {\"schemaVersion\":2,                         | not JSON",
        "trailing garbage         | {\"schemaVersion\":2} x                       | not JSON",
        "an array                 | []                                             | not a JSON object",
        "a key twice              | {\"schemaVersion\":2,\"schemaVersion\":2}     | not JSON",
        "schema 1                 | {\"schemaVersion\":1}                         | schemaVersion: want 2",
        "version a string         | {\"schemaVersion\":\"2\"}                     | schemaVersion: want an integer",
        "no config                | {\"schemaVersion\":2,\"layers\":[]}           | config: missing",
        "no layers                | {\"schemaVersion\":2,\"config\":CONFIG}       | layers: missing",
        "an index's field         | {\"schemaVersion\":2,\"config\":CONFIG,\"layers\":[],\"manifests\":[]} | manifests: not a field",
        "a bad digest             | {\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:xyz\",\"size\":1},\"layers\":[]} | config.digest",
        "a negative size          | {\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"DIGEST\",\"size\":-1},\"layers\":[]} | config.size: negative",
        "a fractional size        | {\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"DIGEST\",\"size\":1.5},\"layers\":[]} | config.size: want an integer",
        "a bad media type         | {\"schemaVersion\":2,\"config\":{\"mediaType\":\"nonsense\",\"digest\":\"DIGEST\",\"size\":1},\"layers\":[]} | config.mediaType: not a media type",
        "a layer not an object    | {\"schemaVersion\":2,\"config\":CONFIG,\"layers\":[1]} | layers[0]: want a descriptor",
        "empty config, no type    | {\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"DIGEST\",\"size\":2},\"layers\":[]} | artifactType: missing",
        "annotation not a string  | {\"schemaVersion\":2,\"config\":CONFIG,\"layers\":[],\"annotations\":{\"a\":1}} | annotations.a: want a string",
    })
    void strictReadingNamesTheManifestAndTheField(String what, String json, String expected) {
        String text = json.replace("CONFIG", OCI_CONFIG).replace("DIGEST", OciDigest.sha256(CONFIG).toString());
        assertThatThrownBy(() -> ImageManifest.parse(utf8(text), MediaTypes.OCI_MANIFEST))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("image manifest " + OciDigest.sha256(utf8(text)))
                .hasMessageContaining(expected);
    }

    @Test
    void unknownLayerAndConfigTypesAreNotErrorsOfTheManifest() throws Exception {
        String artifact = "{\"schemaVersion\":2,\"config\":" + descriptor("application/vnd.example.config", CONFIG)
                + ",\"layers\":[" + descriptor("application/vnd.example.thing", LAYER) + "]}";
        assertThat(ImageManifest.parse(utf8(artifact), MediaTypes.OCI_MANIFEST).layers()).hasSize(1);
    }

    @Test
    void anEmbeddedDataFieldMustBeTheContent() {
        String good = "{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\""
                + OciDigest.sha256(Descriptor.EMPTY_JSON) + "\",\"size\":2,\"data\":\"e30=\"}";
        String m = "{\"schemaVersion\":2,\"artifactType\":\"application/x.a\",\"config\":CONFIG,\"layers\":[]}";
        org.assertj.core.api.Assertions.assertThatCode(() -> ImageManifest.parse(
                utf8(m.replace("CONFIG", good)), MediaTypes.OCI_MANIFEST)).doesNotThrowAnyException();
        assertThatThrownBy(() -> ImageManifest.parse(utf8(m.replace("CONFIG", good.replace("e30=", "e3g="))),
                MediaTypes.OCI_MANIFEST)).isInstanceOf(InvalidImageException.class).hasMessageContaining("config.data");
    }

    @Test
    void theDockerManifestOfADockerArchiveIsWhatContainersImageWrites() {
        Descriptor config = Descriptor.of(MediaTypes.DOCKER_CONFIG, CONFIG);
        Descriptor layer = Descriptor.of(LayerMediaType.DOCKER_TAR_GZIP.mediaType(), LAYER);
        ImageManifest m = ImageManifest.write(MediaTypes.DOCKER_MANIFEST, config, List.of(layer));
        assertThat(new String(m.bytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.DOCKER_CONFIG + "\",\"size\":" + CONFIG.length + ",\"digest\":\"" + config.digest()
                + "\"},\"layers\":[{\"mediaType\":\"" + layer.mediaType() + "\",\"size\":" + LAYER.length
                + ",\"digest\":\"" + layer.digest() + "\"}]}");
        assertThat(m.docker()).isTrue();
    }

    @Test
    void aWrittenOciManifestReadsBackWithItsDescriptorsAsGiven() {
        Descriptor config = Descriptor.of(MediaTypes.OCI_CONFIG, CONFIG);
        Descriptor layer = Descriptor.of(LayerMediaType.OCI_TAR.mediaType(), LAYER)
                .withAnnotation("org.opencontainers.image.title", "l");
        ImageManifest m = ImageManifest.write(MediaTypes.OCI_MANIFEST, config, List.of(layer));
        assertThat(m.config()).isEqualTo(config);
        assertThat(m.layers()).containsExactly(layer);
        assertThat(new String(m.bytes(), java.nio.charset.StandardCharsets.UTF_8))
                .startsWith("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                        + "\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":");
    }
}
