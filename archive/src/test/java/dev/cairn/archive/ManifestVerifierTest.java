package dev.cairn.archive;

import static dev.cairn.archive.TestTars.tar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.archive.ManifestVerifier.Kind;
import dev.cairn.archive.ManifestVerifier.Problem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestVerifierTest {

    @TempDir
    Path temp;
    Path diff;
    Path manifest;

    @BeforeEach
    void extract() throws IOException {
        diff = Files.createDirectory(temp.resolve("diff"));
        manifest = temp.resolve("manifest");
        byte[] input = tar().dir("d", 0755).file("d/f", "content").file("d/g", "other").symlink("d/l", "f")
                .hardlink("d/h", "d/f").file("d/replaced-later", "old").file("d/replaced-later", "new").bytes();
        LayerExtractor.extract(new ByteArrayInputStream(input), diff, manifest, ExtractOptions.DEFAULTS);
    }

    private List<Problem> verify() throws IOException {
        return ManifestVerifier.verify(diff, manifest);
    }

    @Test
    void a_freshly_extracted_layer_has_no_problems() throws IOException {
        assertThat(verify()).isEmpty();
    }

    @Test
    void a_modified_file_is_wrong_content() throws IOException {
        Files.writeString(diff.resolve("d/g"), "OTHER");

        assertThat(verify()).containsExactly(new Problem(Kind.WRONG_CONTENT, "d/g",
                verify().get(0).detail()));
    }

    @Test
    void a_longer_file_is_wrong_size() throws IOException {
        Files.writeString(diff.resolve("d/g"), "other!");

        assertThat(verify()).extracting(Problem::kind, Problem::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Kind.WRONG_SIZE, "d/g"));
    }

    @Test
    void a_removed_file_is_missing() throws IOException {
        Files.delete(diff.resolve("d/g"));

        assertThat(verify()).extracting(Problem::kind, Problem::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Kind.MISSING, "d/g"));
    }

    @Test
    void a_retargeted_symlink_is_reported() throws IOException {
        Files.delete(diff.resolve("d/l"));
        Files.createSymbolicLink(diff.resolve("d/l"), Path.of("/etc/passwd"));

        assertThat(verify()).extracting(Problem::kind, Problem::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Kind.WRONG_LINK_TARGET, "d/l"));
    }

    @Test
    void a_symlink_replaced_by_a_file_is_wrong_type_and_a_file_by_a_symlink_is_not_followed() throws IOException {
        Files.delete(diff.resolve("d/l"));
        Files.writeString(diff.resolve("d/l"), "f");
        Files.delete(diff.resolve("d/g"));
        Files.createSymbolicLink(diff.resolve("d/g"), diff.resolve("d/f"));

        assertThat(verify()).extracting(Problem::kind, Problem::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Kind.WRONG_TYPE, "d/g"),
                org.assertj.core.groups.Tuple.tuple(Kind.WRONG_TYPE, "d/l"));
    }

    @Test
    void a_broken_hardlink_and_an_extra_file_are_reported() throws IOException {
        Files.delete(diff.resolve("d/h"));
        Files.writeString(diff.resolve("d/h"), "content");
        Files.writeString(diff.resolve("d/extra"), "?");

        assertThat(verify()).extracting(Problem::kind, Problem::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Kind.NOT_LINKED, "d/h"),
                org.assertj.core.groups.Tuple.tuple(Kind.UNEXPECTED, "d/extra"));
    }

    @Test
    void a_changed_mode_is_reported() throws IOException {
        Files.setAttribute(diff.resolve("d/f"), "unix:mode", 0600);

        assertThat(verify()).extracting(Problem::kind, Problem::path).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Kind.WRONG_MODE, "d/f"));
    }
}
