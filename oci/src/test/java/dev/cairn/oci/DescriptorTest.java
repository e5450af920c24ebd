package dev.cairn.oci;

import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DescriptorTest {

    @Test
    void readsEveryFieldAndWritesThemBackInTheSpecsOrder() throws Exception {
        String json = "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"digest\":\"" + OciDigest.sha256(utf8("m")) + "\",\"size\":1,\"urls\":[\"https://e.com/m\"],"
                + "\"annotations\":{\"k\":\"v\"},\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\","
                + "\"os.version\":\"6.1\",\"os.features\":[\"f\"],\"variant\":\"v8\"},"
                + "\"artifactType\":\"application/x.sbom\"}";
        Json reader = new Json("test");
        Descriptor d = Descriptor.parse(reader, reader.object(utf8(json)), "");
        assertThat(d.urls()).containsExactly("https://e.com/m");
        assertThat(d.annotations()).isEqualTo(Map.of("k", "v"));
        assertThat(d.platform()).contains(new Platform("linux", "arm64", "v8", "6.1", List.of("f")));
        assertThat(d.artifactType()).contains("application/x.sbom");
        assertThat(new String(Json.write(d.toJson()), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(json);
    }

    @Test
    void annotationsAndPlatformAreAddedWithoutChangingTheRest() {
        Descriptor d = Descriptor.of(MediaTypes.OCI_MANIFEST, utf8("m"));
        Descriptor tagged = d.withAnnotation(Descriptor.REF_NAME, "v1").withPlatform(Platform.parse("linux/amd64"));
        assertThat(tagged.refName()).contains("v1");
        assertThat(tagged.digest()).isEqualTo(d.digest());
        assertThat(d.refName()).isEmpty();
        assertThat(tagged.platform()).map(Platform::toString).contains("linux/amd64");
    }

    @Test
    void aNegativeSizeIsNoDescriptor() {
        assertThatThrownBy(() -> new Descriptor("a/b", OciDigest.sha256(new byte[0]), -1, List.of(), Map.of(),
                Optional.empty(), Optional.empty())).isInstanceOf(IllegalArgumentException.class);
    }
}
