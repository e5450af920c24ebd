package dev.cairn.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageIdTest {

    @Test
    void anImageIsNamedByItsConfigDigestsHex() {
        Digest config = Digest.sha256(new byte[] {'{', '}'});

        assertThat(ImageId.ofConfig(config).hex()).isEqualTo(config.hex());
        assertThat(ImageId.ofConfig(config).toString()).isEqualTo(config.hex());
    }

    @Test
    void anythingButSixtyFourLowercaseHexCharactersIsRefusedNamingIt() {
        assertThatThrownBy(() -> ImageId.of("sha256:" + "a".repeat(64))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an image id: 'sha256:");
        assertThat(ImageId.isValid(null)).isFalse();
    }
}
