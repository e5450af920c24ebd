package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.UnsafeArchiveException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LayerTreeTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a/b|a/b", "./a/b|a/b", "/a/b|a/b", "//a//./b/|a/b", "a/../b|b", "./|''", ".|''", "/|''", "a/b/..|a"})
    void names_are_cleaned_lexically(String name, String cleaned) throws UnsafeArchiveException {
        assertThat(LayerTree.clean(name, name)).isEqualTo(cleaned);
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "a/../../x", "/../x", "./..", "a/b/../../..", "x\0y"})
    void names_leaving_the_root_are_refused(String name) {
        assertThatThrownBy(() -> LayerTree.clean(name, name)).isInstanceOf(UnsafeArchiveException.class)
                .hasMessageContaining(name);
    }
}
