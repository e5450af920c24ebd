package dev.cairn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --format}'s templates, and the listing options podman users expect: {@code -q}, {@code --no-trunc}. */
class FormatTest {

    private static final List<String> FIELDS = List.of("ID", "Names");

    @TempDir
    Path dir;

    @Test
    void aTemplateFillsInFieldsWithTabsAndNewlines() {
        Format f = Format.parse("{{.ID}}\\t{{ .Names }}!\\n", FIELDS);

        assertThat(f.json()).isFalse();
        assertThat(f.apply(Map.of("ID", "abc", "Names", "a,b"))).isEqualTo("abc\ta,b!\n");
        assertThat(Format.parse("json", FIELDS).json()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "{{json .}}          ; '{{json .}}' is not supported",
            "{{range .Names}}x   ; '{{range .Names}}' is not supported",
            "{{.Names | join}}   ; '{{.Names | join}}' is not supported",
            "{{.id}}             ; no field '.id' (did you mean '.ID'?)",
            "{{.Size}}           ; no field '.Size'; the fields are ID, Names",
            "plain text          ; names no field",
            "{{.ID}} {{          ; '{{' is not supported"})
    void whatIsNotSupportedIsRefusedSayingWhatIs(String template, String says) {
        assertThatThrownBy(() -> Format.parse(template, FIELDS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(says);
    }

    @Test
    void listingsTakeQuietNoTruncAndFormat() throws Exception {
        CairnRun run = new CairnRun(dir.resolve("store"));
        String base = run.importTar(dir, "b.tar", List.of("--name", "base", "--name", "first"), "a", "1");
        String child = run.cairn("create", "--parent", "base").ok();

        assertThat(run.cairn("layers", "-q").outLines()).containsExactly(base.substring(0, 12), child.substring(0, 12));
        assertThat(run.cairn("layers", "-q", "--no-trunc").outLines()).containsExactly(base, child);
        assertThat(run.cairn("layers", "--no-trunc").outLines().get(2)).contains(child + "   " + base);
        assertThat(run.cairn("layers", "--format", "{{.ID}} {{.Parent}} {{.Names}}").outLines())
                .containsExactly(base.substring(0, 12) + "  base,first", child.substring(0, 12) + " "
                        + base.substring(0, 12) + " ");
        assertThat(run.cairn("layers", "--format", "{{.ID}}", "--no-trunc").outLines()).containsExactly(base, child);
        assertThat(run.cairn("layers", "--format", "json").out()).isEqualTo(run.cairn("layers", "--json").out());
        assertThat(run.cairn("replay", "--until", "5", "-q").outLines()).as("after the import's five records")
                .containsExactly(base.substring(0, 12));
        assertThat(run.cairn("inspect", "base", "--format", "{{.ID}} {{.DiffSize}}").ok()).matches(base + " \\d+");
        run.cairn("layers", "-q", "--json").usageError("-q cannot be combined");
        run.cairn("layers", "--format", "{{.Nope}}").usageError("no field '.Nope'", "the fields are ID, Parent");
    }
}
