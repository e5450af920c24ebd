package dev.cairn.oci;

import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.InvalidImageException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageConfigTest {

    private static final String D1 = OciDigest.sha256(utf8("1")).toString();
    private static final String D2 = OciDigest.sha256(utf8("2")).toString();

    @Test
    void readsPlatformCreatedDiffIdsAndHistory() throws Exception {
        byte[] bytes = utf8("{\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\",\"created\":"
                + "\"2024-05-01T10:00:00.123456789+02:00\",\"author\":\"me\",\"config\":{\"Cmd\":[\"sh\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D1 + "\",\"" + D2 + "\"]},"
                + "\"history\":[{\"created_by\":\"ADD\"},{\"created_by\":\"ENV\",\"empty_layer\":true},"
                + "{\"created\":null,\"comment\":\"c\"}]}");
        ImageConfig c = ImageConfig.parse(bytes, MediaTypes.OCI_CONFIG);
        assertThat(c.platform()).hasToString("linux/arm64/v8");
        assertThat(c.created()).contains(Instant.parse("2024-05-01T08:00:00.123456789Z"));
        assertThat(c.author()).contains("me");
        assertThat(c.diffIds()).extracting(OciDigest::toString).containsExactly(D1, D2);
        assertThat(c.history()).extracting(ImageConfig.History::emptyLayer).containsExactly(false, true, false);
        assertThat(c.history().get(2).created()).isEmpty();
        assertThat(c.bytes()).isEqualTo(bytes);
        assertThat(c.digest()).isEqualTo(OciDigest.sha256(bytes));
        assertThat(c.descriptor()).isEqualTo(Descriptor.of(MediaTypes.OCI_CONFIG, bytes));
    }

    @Test
    void optionalFieldsMayBeNull() throws Exception {
        ImageConfig c = ImageConfig.parse(utf8("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":null,"
                + "\"variant\":null,\"history\":null,\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"),
                MediaTypes.DOCKER_CONFIG);
        assertThat(c.created()).isEmpty();
        assertThat(c.history()).isEmpty();
        assertThat(c.diffIds()).isEqualTo(List.of());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no os             | {\"architecture\":\"amd64\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}} | os: missing",
        "no rootfs         | {\"architecture\":\"amd64\",\"os\":\"linux\"} | rootfs: missing",
        "other rootfs type | {\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"x\",\"diff_ids\":[]}} | rootfs.type",
        "no diff_ids       | {\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}} | rootfs.diff_ids: missing",
        "a bad DiffID      | {\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:12\"]}} | rootfs.diff_ids[0]",
        "a bad time        | {\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"yesterday\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}} | created: not an RFC 3339 time",
        "a bad history     | {\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[{\"empty_layer\":\"yes\"}]} | history[0].empty_layer",
    })
    void strictReadingNamesTheConfigAndTheField(String what, String json, String expected) {
        assertThatThrownBy(() -> ImageConfig.parse(utf8(json), MediaTypes.OCI_CONFIG))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("image config " + OciDigest.sha256(utf8(json)))
                .hasMessageContaining(expected);
    }
}
