package dev.cairn.oci;

import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.InvalidImageException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageIndexTest {

    /** An entry for platform {@code p} ("" for none), its digest made from {@code name}. */
    private static String entry(String name, String platform, String extra) {
        String d = "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + OciDigest.sha256(utf8(name))
                + "\",\"size\":1";
        if (!platform.isEmpty()) {
            String[] p = platform.split("/");
            d += ",\"platform\":{\"os\":\"" + p[0] + "\",\"architecture\":\"" + p[1] + "\""
                    + (p.length > 2 ? ",\"variant\":\"" + p[2] + "\"" : "") + "}";
        }
        return d + extra + "}";
    }

    private static ImageIndex index(String mediaType, String... entries) throws InvalidImageException {
        return ImageIndex.parse(utf8("{\"schemaVersion\":2,\"mediaType\":\"" + mediaType + "\",\"manifests\":["
                + String.join(",", entries) + "]}"), mediaType);
    }

    private static String chosen(ImageIndex index, String wanted) {
        return index.select(Platform.parse(wanted)).map(d -> {
            for (String n : List.of("amd64", "arm64", "armv7", "armv6", "arm", "armv8", "none", "first", "second",
                    "zstd")) {
                if (d.digest().equals(OciDigest.sha256(utf8(n)))) {
                    return n;
                }
            }
            return "?";
        }).orElse("nothing");
    }

    @Test
    void keepsEntriesInOrderWithTheirPlatforms() throws Exception {
        ImageIndex i = index(MediaTypes.OCI_INDEX, entry("amd64", "linux/amd64", ""), entry("arm64", "linux/arm64/v8", ""));
        assertThat(i.manifests()).extracting(d -> d.platform().orElseThrow().toString())
                .containsExactly("linux/amd64", "linux/arm64/v8");
        assertThat(i.digest()).isEqualTo(OciDigest.sha256(i.bytes()));
    }

    @ParameterizedTest(name = "{0} picks {1}")
    @CsvSource({
        "linux/amd64, amd64",
        "linux/arm64, arm64",
        "linux/arm64/v8, arm64",
        "linux/arm/v7, armv7",
        "linux/arm/v8, armv7",
        "linux/arm/v6, armv6",
        "linux/arm, arm",
        "linux/s390x, nothing",
        "windows/amd64, nothing",
    })
    void selectsThePlatformAsContainersImageDoes(String wanted, String expected) throws Exception {
        ImageIndex i = index(MediaTypes.OCI_INDEX, entry("amd64", "linux/amd64", ""),
                entry("arm64", "linux/arm64/v8", ""), entry("armv6", "linux/arm/v6", ""),
                entry("armv7", "linux/arm/v7", ""), entry("arm", "linux/arm", ""));
        assertThat(chosen(i, wanted)).isEqualTo(expected);
    }

    @Test
    void withNoVariantWantedAnEntryWithoutOneIsPreferredThenTheNewestCompatible() throws Exception {
        ImageIndex i = index(MediaTypes.OCI_INDEX, entry("armv6", "linux/arm/v6", ""), entry("armv8", "linux/arm/v8", ""));
        assertThat(chosen(i, "linux/arm")).isEqualTo("armv8");
    }

    @Test
    void anOciEntryWithoutPlatformIsTheLastResortAndADockerOneNever() throws Exception {
        assertThat(chosen(index(MediaTypes.OCI_INDEX, entry("none", "", ""), entry("amd64", "linux/amd64", "")),
                "linux/amd64")).isEqualTo("amd64");
        assertThat(chosen(index(MediaTypes.OCI_INDEX, entry("none", "", "")), "linux/amd64")).isEqualTo("none");
        String docker = entry("none", "", "").replace(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);
        assertThat(chosen(index(MediaTypes.DOCKER_MANIFEST_LIST, docker), "linux/amd64")).isEqualTo("nothing");
    }

    @Test
    void onATieTheFirstEntryWinsUnlessALaterOneIsMarkedZstd() throws Exception {
        assertThat(chosen(index(MediaTypes.OCI_INDEX, entry("first", "linux/amd64", ""),
                entry("second", "linux/amd64", "")), "linux/amd64")).isEqualTo("first");
        String zstd = ",\"annotations\":{\"" + ImageIndex.ZSTD_ANNOTATION + "\":\"true\"}";
        assertThat(chosen(index(MediaTypes.OCI_INDEX, entry("first", "linux/amd64", ""),
                entry("zstd", "linux/amd64", zstd)), "linux/amd64")).isEqualTo("zstd");
    }

    @Test
    void entriesOfUnknownMediaTypesAreKeptButNeverChosen() throws Exception {
        String other = entry("first", "linux/amd64", "").replace(MediaTypes.OCI_MANIFEST, "application/xml");
        ImageIndex i = index(MediaTypes.OCI_INDEX, other);
        assertThat(i.manifests()).hasSize(1);
        assertThat(chosen(i, "linux/amd64")).isEqualTo("nothing");
    }

    @Test
    void theAcceptablePlatformsAreRankedLikeWantedPlatforms() {
        List<String> ranked = new ArrayList<>();
        ImageIndex.acceptable(Platform.parse("linux/arm/v7")).forEach(p -> ranked.add(p.toString()));
        assertThat(ranked).containsExactly("linux/arm/v7", "linux/arm/v6", "linux/arm/v5", "linux/arm");
        ranked.clear();
        ImageIndex.acceptable(Platform.parse("linux/arm64")).forEach(p -> ranked.add(p.toString()));
        assertThat(ranked).containsExactly("linux/arm64", "linux/arm64/v8");
    }

    @Test
    void strictReadingRefusesAManifestsFieldsAndAMissingManifestsArray() {
        assertThatThrownBy(() -> ImageIndex.parse(utf8("{\"schemaVersion\":2,\"manifests\":[],\"layers\":[]}"),
                MediaTypes.OCI_INDEX)).isInstanceOf(InvalidImageException.class).hasMessageContaining("layers");
        assertThatThrownBy(() -> ImageIndex.parse(utf8("{\"schemaVersion\":2}"), MediaTypes.OCI_INDEX))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("manifests: missing");
        assertThatThrownBy(() -> ImageIndex.parse(utf8("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"size\":1}]}"), MediaTypes.OCI_INDEX))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("manifests[0].digest: missing");
        assertThatThrownBy(() -> ImageIndex.parse(utf8("{\"schemaVersion\":2,\"manifests\":["
                + entry("a", "linux/amd64", "").replace("\"architecture\"", "\"arch\"") + "]}"), MediaTypes.OCI_INDEX))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("manifests[0].platform.architecture: missing");
    }
}
