package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExtractOptionsTest {

    @Test
    void defaults_are_durable_and_generous() {
        assertThat(ExtractOptions.DEFAULTS.unsafeNoSync()).isFalse();
        assertThat(ExtractOptions.DEFAULTS.maxEntries()).isEqualTo(1_000_000);
        assertThat(ExtractOptions.DEFAULTS.maxDiffSize()).isEqualTo(1L << 40);
    }

    @Test
    void the_builder_changes_only_what_it_is_told() {
        ExtractOptions o = ExtractOptions.DEFAULTS.toBuilder().maxEntries(5).unsafeNoSync(true).build();

        assertThat(o.maxEntries()).isEqualTo(5);
        assertThat(o.unsafeNoSync()).isTrue();
        assertThat(o.maxNameBytes()).isEqualTo(ExtractOptions.DEFAULTS.maxNameBytes());
        assertThat(ExtractOptions.DEFAULTS.maxEntries()).isEqualTo(1_000_000);
    }

    @Test
    void negative_limits_are_refused() {
        assertThatThrownBy(() -> ExtractOptions.DEFAULTS.toBuilder().maxDiffSize(-1).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExtractOptions.DEFAULTS.toBuilder().syncfsMinFiles(0).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void small_layers_are_synced_file_by_file_by_default() {
        assertThat(ExtractOptions.DEFAULTS.syncfs()).isTrue();
        assertThat(ExtractOptions.DEFAULTS.syncfsMinFiles()).isEqualTo(ExtractOptions.SYNCFS_MIN_FILES);
        assertThat(ExtractOptions.DEFAULTS.toBuilder().syncfsMinFiles(1).build().syncfsMinFiles()).isEqualTo(1);
    }
}
