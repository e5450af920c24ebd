package dev.cairn.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rule for layer names: what is refused, and that the refusal names the name. */
class LayerNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"base", "docker.io/library/alpine:3.20", "abcd", "a-b", "x--y", "sha256",
            "0123456789abcdef", "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789", "näme"})
    void ordinaryNamesAreKept(String name) {
        assertThat(LayerNames.check(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", // a layer id
            "sha256:abcd", // an id in digest form
            "-rf", "--name", "-", // options
            "", "tab\there"})
    void namesACommandLineWouldReadAsSomethingElseAreRefusedNamingThem(String name) {
        assertThatThrownBy(() -> LayerNames.check(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name.isEmpty() ? "empty" : name.replace('\t', '?'));
    }
}
