package dev.cairn.model;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LayerTest {

    @Test
    void theChainIdOfABaseLayerIsItsDiffIdAndAboveItTheImageSpecsHash() {
        Digest diff1 = Digest.sha256("one".getBytes(StandardCharsets.UTF_8));
        Digest diff2 = Digest.sha256("two".getBytes(StandardCharsets.UTF_8));

        Digest base = Layer.chainId(Optional.empty(), diff1);
        Digest second = Layer.chainId(Optional.of(base), diff2);

        assertThat(base).isEqualTo(diff1);
        assertThat(second).isEqualTo(Digest.sha256((diff1 + " " + diff2).getBytes(StandardCharsets.US_ASCII)));
        assertThat(second.hex()).as("not the id containers/image gives the layer")
                .isNotEqualTo(LayerId.forDiff(Optional.of(LayerId.of(diff1.hex())), diff2).hex());
    }
}
