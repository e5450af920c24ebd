package dev.cairn.oci;

import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.InvalidImageException;
import org.junit.jupiter.api.Test;

class JsonTest {

    private final Json json = new Json("doc");

    @Test
    void aKeyTwiceAnywhereIsRefused() {
        assertThatThrownBy(() -> json.object(utf8("{\"a\":{\"b\":1,\"b\":2}}"))).isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("doc: not JSON").hasMessageContaining("b");
    }

    @Test
    void nullOptionalFieldsAreAbsentAndRequiredOnesMissing() throws Exception {
        ObjectNode o = json.object(utf8("{\"s\":null,\"n\":null}"));
        assertThat(json.optString(o, "s", "")).isEmpty();
        assertThat(json.strings(o, "n", "")).isEmpty();
        assertThatThrownBy(() -> json.string(o, "s", "p")).isInstanceOf(InvalidImageException.class)
                .hasMessage("doc: p.s: missing");
    }

    @Test
    void typesAreCheckedNamingThePath() throws Exception {
        ObjectNode o = json.object(utf8("{\"l\":[\"a\",2],\"m\":{\"k\":true},\"i\":1e3}"));
        assertThatThrownBy(() -> json.strings(o, "l", "x")).hasMessage("doc: x.l[1]: want a string, got a number");
        assertThatThrownBy(() -> json.stringMap(o, "m", "")).hasMessage("doc: m.k: want a string, got a boolean");
        assertThatThrownBy(() -> json.integer(o, "i", "")).hasMessageContaining("want an integer");
    }
}
