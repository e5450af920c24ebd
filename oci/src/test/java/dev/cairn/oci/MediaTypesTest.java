package dev.cairn.oci;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MediaTypesTest {

    @ParameterizedTest
    @ValueSource(strings = {"application/vnd.oci.image.manifest.v1+json", "text/plain; charset=utf-8", "a/b"})
    void wellFormedMediaTypesFollowRfc6838(String type) {
        assertThat(MediaTypes.isWellFormed(type)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "json", "/json", "application/", "app lication/json", "application/json/x"})
    void otherTextIsNoMediaType(String type) {
        assertThat(MediaTypes.isWellFormed(type)).isFalse();
    }

    @Test
    void classifiesManifestsIndexesAndConfigsOfBothFamilies() {
        assertThat(MediaTypes.isImageManifest(MediaTypes.DOCKER_MANIFEST)).isTrue();
        assertThat(MediaTypes.isIndex(MediaTypes.DOCKER_MANIFEST_LIST)).isTrue();
        assertThat(MediaTypes.isImageConfig(MediaTypes.OCI_CONFIG)).isTrue();
        assertThat(MediaTypes.isImageManifest(MediaTypes.OCI_INDEX)).isFalse();
        assertThat(MediaTypes.isSchema1(MediaTypes.DOCKER_SCHEMA1_SIGNED)).isTrue();
    }
}
