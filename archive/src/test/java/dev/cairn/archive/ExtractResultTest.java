package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.Compression;
import org.junit.jupiter.api.Test;

class ExtractResultTest {

    @Test
    void digests_are_required() {
        assertThatThrownBy(() -> new ExtractResult(Compression.NONE, null, 0, EmptyLayer.DIFF_DIGEST, 0, 0, 0))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("compressedDigest");
    }
}
