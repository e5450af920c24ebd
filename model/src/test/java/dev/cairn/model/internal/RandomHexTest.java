package dev.cairn.model.internal;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RandomHexTest {

    @Test
    void givesTwoLowerCaseHexDigitsPerByteAndNeverTheSameTwice() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String hex = RandomHex.of(16);
            assertThat(hex).hasSize(32).matches("[0-9a-f]{32}");
            assertThat(seen.add(hex)).isTrue();
        }
        assertThat(RandomHex.of(0)).isEmpty();
        assertThat(RandomHex.of(32)).hasSize(64);
    }
}
