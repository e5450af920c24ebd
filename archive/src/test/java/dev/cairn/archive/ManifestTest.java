package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestTest {

    @TempDir
    Path temp;

    private static Manifest.Entry file(String path) {
        return new Manifest.Entry(Manifest.EntryType.FILE, '0', path, 04755, 0, 0, "root", "", Instant.ofEpochSecond(
                -5, 123), 3, "", 0, 0, Map.of("user.a=b,c", "v\tal\nue"), Digest.sha256(new byte[3]));
    }

    private Path write(List<Manifest.Entry> entries) throws IOException {
        Path file = temp.resolve("manifest");
        try (ManifestWriter w = ManifestWriter.create(file)) {
            for (Manifest.Entry e : entries) {
                w.add(e);
            }
            w.finish(true);
        }
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "with\ttab", "with\nnewline", "percent%20", "ünïcødé/路径", " lead-space",
            "comma,equals=", "\u007f\u0001"})
    void any_name_round_trips(String name) throws IOException {
        Path file = write(List.of(file(name)));

        assertThat(Manifest.read(file).entries()).containsExactly(file(name));
        assertThat(Files.readString(file, StandardCharsets.US_ASCII).lines().count()).isEqualTo(3);
    }

    @Test
    void every_field_round_trips() throws IOException {
        Manifest.Entry link = new Manifest.Entry(Manifest.EntryType.SYMLINK, '2', "a/l", 0777, 1000, 1001, "u", "g",
                Instant.parse("2021-01-01T00:00:00.5Z"), 0, "../target with space", 0, 0, Map.of(), null);
        Manifest.Entry dev = new Manifest.Entry(Manifest.EntryType.BLOCK_DEVICE, '4', "dev/sda", 0660, 0, 6, "", "",
                Instant.EPOCH, 0, "", 8, 1, Map.of(), null);
        Manifest.Entry other = new Manifest.Entry(Manifest.EntryType.OTHER, 'V', "label", 0, 0, 0, "", "",
                Instant.EPOCH, 0, "", 0, 0, Map.of(), null);

        Path file = write(List.of(file("f"), link, dev, other));

        assertThat(Manifest.read(file).entries()).containsExactly(file("f"), link, dev, other);
    }

    @Test
    void a_line_is_written_byte_for_byte_as_format_version_1_says() {
        Manifest.Entry e = new Manifest.Entry(Manifest.EntryType.FILE, '0', "dir/ünï %,=\tx", 04755, 0, 7, "root",
                "", Instant.ofEpochSecond(-5, 123), 3, "", 0, 0, Map.of("user.b", "2", "user.a=b,c", "v\tal"),
                Digest.sha256(new byte[3]));
        Manifest.Entry link = new Manifest.Entry(Manifest.EntryType.SYMLINK, ' ', "l", 0777, 1000, 1001, "u", "g",
                Instant.parse("2021-01-01T00:00:00.5Z"), 0, "../t", 0, 0, Map.of(), null);

        assertThat(Manifest.formatLine(e)).isEqualTo("f\t0\tdir/%C3%BCn%C3%AF%20%25%2C%3D%09x\t4755\t0\t7\troot\t\t"
                + "-5.000000123\t3\t\t0\t0\tuser.a%3Db%2Cc=v%09al,user.b=2\t" + Digest.sha256(new byte[3]) + "\n");
        assertThat(Manifest.formatLine(link)).isEqualTo(
                "l\t%20\tl\t777\t1000\t1001\tu\tg\t1609459200.500000000\t0\t../t\t0\t0\t\t\n");
    }

    @Test
    void bytes_that_are_not_utf8_round_trip_through_the_escaping() {
        byte[] raw = {'a', (byte) 0xff, (byte) 0xc3, '\n', 0};

        assertThat(Manifest.unescapeBytes(Manifest.escape(raw))).isEqualTo(raw);
        assertThat(Manifest.escape(raw)).isEqualTo("a%FF%C3%0A%00");
    }

    @Test
    void a_changed_byte_fails_the_checksum_naming_the_file() throws IOException {
        Path file = write(List.of(file("f")));
        byte[] bytes = Files.readAllBytes(file);
        bytes[30] ^= 1;
        Files.write(file, bytes);

        assertThatThrownBy(() -> Manifest.read(file)).isInstanceOf(CorruptManifestException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("checksum failed");
    }

    @Test
    void a_truncated_manifest_is_refused() throws IOException {
        Path file = write(List.of(file("f"), file("g")));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10));

        assertThatThrownBy(() -> Manifest.read(file)).isInstanceOf(CorruptManifestException.class);
    }

    @Test
    void a_newer_version_is_refused_with_both_versions() throws IOException {
        String body = Manifest.FORMAT_NAME + "\t2\n";
        String text = body + Manifest.trailerLine(0, Digest.sha256(body.getBytes(StandardCharsets.US_ASCII)));
        Path file = temp.resolve("v2");
        Files.writeString(file, text);

        assertThatThrownBy(() -> Manifest.read(file)).isInstanceOf(CorruptManifestException.class)
                .hasMessageContaining("version 2").hasMessageContaining("1 to 1");
    }

    @Test
    void the_extractor_writes_a_manifest_that_reads_back() throws IOException {
        Path diff = Files.createDirectory(temp.resolve("diff"));
        byte[] tar = TestTars.tar().file("a", "x").bytes();
        LayerExtractor.extract(new ByteArrayInputStream(tar), diff, temp.resolve("m"), ExtractOptions.DEFAULTS);

        assertThat(Manifest.read(temp.resolve("m")).entries()).singleElement()
                .satisfies(e -> assertThat(e.contentDigest()).isEqualTo(Digest.sha256(new byte[] {'x'})));
    }
}
