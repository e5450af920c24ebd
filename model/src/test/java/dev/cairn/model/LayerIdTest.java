package dev.cairn.model;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerIdTest {

    /**
     * The ids of a three-layer image that {@code skopeo copy oci:… containers-storage:[vfs@…]} (skopeo 1.9.3) gave, in
     * its layers.json: the DiffIDs are the image's, the ids what containers/image computed.
     */
    @Test
    void forDiffGivesTheIdsSkopeoGaveTheLayersOfAnImageInContainersStorage() {
        Digest diff1 = Digest.parse("sha256:f5a37b19e77a42be0014ceaee35429d0f50c970d9fbf4302867b78c6d2237336");
        Digest diff2 = Digest.parse("sha256:bab4b8efa631e3dc89eec3cfde4b28d1104abcd2e62fb6f0f36a22c81ce8af1b");
        Digest diff3 = Digest.parse("sha256:a4400411b26e1c7a83a6cecff517786d571473c0ce9acdedce71927664cc077f");

        LayerId base = LayerId.forDiff(Optional.empty(), diff1);
        LayerId second = LayerId.forDiff(Optional.of(base), diff2);
        LayerId third = LayerId.forDiff(Optional.of(second), diff3);

        assertThat(base.hex()).isEqualTo("f5a37b19e77a42be0014ceaee35429d0f50c970d9fbf4302867b78c6d2237336");
        assertThat(second.hex()).isEqualTo("6114172d8519deb1ac453e4175cfbca5266994931a4a4d71c5b0ca6428392ce5");
        assertThat(third.hex()).isEqualTo("1a2de92cf75f826087e44de9a63da94117495ed7e7e171d58086ac51c7c13305");
    }

    @Test
    void anIdIsSixtyFourLowercaseHexCharacters() {
        assertThat(LayerId.isValid("a".repeat(64))).isTrue();
        assertThat(LayerId.isValid("A".repeat(64))).isFalse();
        assertThat(LayerId.isValid("a".repeat(63))).isFalse();
        assertThatThrownBy(() -> LayerId.of("../x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("../x");
    }
}
