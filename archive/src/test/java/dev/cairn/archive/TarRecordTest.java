package dev.cairn.archive;

import dev.cairn.io.Posix;
import static dev.cairn.archive.TestTars.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.cairn.model.CairnException;
import dev.cairn.model.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A layer's tar record rebuilds its tar byte for byte: over the shared vectors, trees written by GNU tar in every
 * format, and hand-made oddities; and it never reads outside the layer or returns bytes that differ silently.
 */
class TarRecordTest {

    @TempDir
    Path temp;
    Path layer;
    Path diff;
    Path manifest;

    @BeforeEach
    void layout() throws IOException {
        layer = Files.createDirectories(temp.resolve("layer"));
        diff = Files.createDirectories(layer.resolve("diff"));
        manifest = layer.resolve("manifest");
    }

    // --- shared vectors

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.cairn.archive.TestTars#sharedTars")
    void every_shared_tar_cairn_accepts_round_trips_and_every_other_is_refused(Path tar) throws Exception {
        assumeThat(tar).as("shared test vectors at ../../shared/testdata/tar (from the module dir)").exists();
        byte[] bytes = Files.readAllBytes(tar);
        if (TestTars.acceptable(tar)) {
            ExtractResult result = extract(bytes);
            assertThat(result.diffDigest()).isEqualTo(Digest.sha256(bytes));
            assertThat(ManifestVerifier.verify(diff, manifest)).isEmpty();
            assertThat(reproduce(result.diffDigest())).isEqualTo(bytes);
        } else {
            assertThatThrownBy(() -> extract(bytes)).isInstanceOf(CairnException.class);
            try (Stream<Path> left = Files.list(layer)) {
                assertThat(left).containsExactly(diff);
            }
            assertThat(diff).isEmptyDirectory();
        }
    }

    // --- trees written by GNU tar

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gnu", "oldgnu", "posix", "ustar", "v7"})
    void a_tree_gnu_tar_writes_round_trips(String format) throws Exception {
        Path src = Files.createDirectories(temp.resolve("src"));
        Files.writeString(src.resolve("plain"), "hello\n");
        Files.write(src.resolve("binary"), new byte[70_000]);
        Files.createDirectories(src.resolve("dir/sub"));
        Files.writeString(src.resolve("dir/sub/deep"), "deep");
        Files.createSymbolicLink(src.resolve("link"), Path.of("plain"));
        Files.createLink(src.resolve("hard"), src.resolve("plain"));
        Files.setAttribute(src.resolve("plain"), "unix:mode", 04755);
        Files.setAttribute(src.resolve("dir"), "unix:mode", 01777);
        if (!format.equals("v7") && !format.equals("ustar")) {
            String longName = "n".repeat(120) + "/" + "m".repeat(150);
            Files.createDirectories(src.resolve(longName).getParent());
            Files.writeString(src.resolve(longName), "long");
        }
        if (Posix.available()) {
            Posix.mknod(src.resolve("fifo"), Posix.S_IFIFO, 0644, 0, 0);
        }
        Path sparse = src.resolve("sparse");
        try (var ch = java.nio.channels.FileChannel.open(sparse, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("start".getBytes(StandardCharsets.US_ASCII)), 0);
            ch.write(java.nio.ByteBuffer.wrap("middle".getBytes(StandardCharsets.US_ASCII)), 3 << 20);
            ch.write(java.nio.ByteBuffer.wrap("end".getBytes(StandardCharsets.US_ASCII)), 9 << 20);
        }
        Path out = temp.resolve("tree.tar");
        List<String> cmd = new ArrayList<>(List.of("tar", "--format=" + format, "-cf", out.toString(), "-C",
                src.toString()));
        if (!format.equals("v7") && !format.equals("ustar")) {
            cmd.add("--sparse");
        }
        cmd.add(".");
        assumeThat(run(cmd)).as("GNU tar writes the " + format + " format").isTrue();
        byte[] bytes = Files.readAllBytes(out);

        ExtractResult result = extract(bytes);

        assertThat(reproduce(result.diffDigest())).isEqualTo(bytes);
        assertThat(ManifestVerifier.verify(diff, manifest)).isEmpty();
        assertThat(diff.resolve("dir/sub/deep")).hasContent("deep");
        assertThat(Files.size(diff.resolve("sparse"))).isEqualTo((9 << 20) + 3);
        assertThat(Files.readSymbolicLink(diff.resolve("link"))).isEqualTo(Path.of("plain"));
        assertThat(Files.getAttribute(diff.resolve("dir"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(041777);
    }

    @Test
    void xattrs_gnu_tar_writes_are_applied_and_round_trip() throws Exception {
        Path src = Files.createDirectories(temp.resolve("src"));
        Path f = Files.writeString(src.resolve("f"), "x");
        try {
            Posix.lsetxattr(f, "user.cairn", "value".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            assumeThat(false).as("user xattrs on " + temp + ": " + e.getMessage()).isTrue();
        }
        Path out = temp.resolve("x.tar");
        assumeThat(run(List.of("tar", "--format=posix", "--xattrs", "--xattrs-include=user.*", "-cf",
                out.toString(), "-C", src.toString(), "f"))).isTrue();
        byte[] bytes = Files.readAllBytes(out);

        ExtractResult result = extract(bytes);

        assertThat(Posix.lgetxattr(diff.resolve("f"), "user.cairn")).isEqualTo("value".getBytes());
        assertThat(Manifest.read(manifest).entries().get(0).xattrs()).containsEntry("user.cairn", "value");
        assertThat(reproduce(result.diffDigest())).isEqualTo(bytes);
    }

    // --- hand-made oddities

    @Test
    void the_same_path_twice_keeps_the_later_on_disk_and_the_earlier_for_diff() throws IOException {
        byte[] bytes = tar().file("f", "first").file("f", "second")
                .dir("d", 0755).file("d/inner", "inside").file("d", "a file now")
                .file("h", "target").hardlink("h", "f").bytes();

        ExtractResult result = extract(bytes);

        assertThat(diff.resolve("f")).hasContent("second");
        assertThat(diff.resolve("d")).isRegularFile().hasContent("a file now");
        assertThat(reproduce(result.diffDigest())).isEqualTo(bytes);
        try (Stream<Path> kept = Files.list(layer.resolve(TarRecord.SHADOW_DIR))) {
            assertThat(kept).hasSize(3); // first f, d/inner, the file h the hardlink replaced
        }
    }

    @Test
    void trailing_junk_missing_and_extra_zero_blocks_and_odd_padding_round_trip() throws IOException {
        byte[] plain = tar().file("a", "x").file("b", "y".repeat(600)).bytes();
        int end = plain.length;
        while (end >= 512 && isZero(plain, end - 512, end)) {
            end -= 512;
        }
        List<byte[]> variants = new ArrayList<>();
        variants.add(Arrays.copyOf(plain, end)); // no end-of-archive blocks at all
        variants.add(Arrays.copyOf(plain, 1024 + 512 + 600)); // ends right after b's data, no padding (umoci 0.4)
        variants.add(Arrays.copyOf(plain, end + 512)); // one zero block
        variants.add(Arrays.copyOf(plain, end + 512 * 40)); // many
        byte[] junk = Arrays.copyOf(plain, plain.length + 1000);
        Arrays.fill(junk, plain.length + 10, junk.length, (byte) 0x5a);
        variants.add(junk);
        byte[] dirtyPadding = plain.clone();
        dirtyPadding[512 + 1] = 7; // the padding after a's one content byte
        variants.add(dirtyPadding);
        for (byte[] v : variants) {
            ExtractResult result = extract(v);
            assertThat(reproduce(result.diffDigest())).isEqualTo(v);
            clear();
        }
    }

    @Test
    void a_name_that_is_not_utf8_is_kept_escaped_on_disk_and_exact_in_diff() throws IOException {
        byte[] bytes = tar().file("caf\u00e9", "x").bytes();
        byte[] latin1 = bytes.clone();
        // rewrite the UTF-8 name "café" (c3 a9) as Latin-1 (e9 00) and fix the checksum
        latin1[3] = (byte) 0xe9;
        latin1[4] = 0;
        fixChecksum(latin1, 0);

        ExtractResult result = extract(latin1);

        assertThat(diff.resolve("caf%E9")).hasContent("x");
        assertThat(reproduce(result.diffDigest())).isEqualTo(latin1);
    }

    @Test
    void an_empty_tar_has_a_record_too() throws IOException {
        ExtractResult result = extract(EmptyLayer.tar());

        assertThat(result.diffDigest()).isEqualTo(EmptyLayer.DIFF_DIGEST);
        assertThat(reproduce(EmptyLayer.DIFF_DIGEST)).isEqualTo(EmptyLayer.tar());
        assertThat(Files.size(layer.resolve(TarRecord.FILE_NAME))).isLessThan(100);
    }

    @Test
    void the_record_holds_no_file_bytes() throws IOException {
        byte[] big = new byte[1 << 20];
        new java.util.Random(1).nextBytes(big);
        extract(tar().file("big", big, 0644).bytes());

        assertThat(Files.size(layer.resolve(TarRecord.FILE_NAME))).isLessThan(2048);
    }

    @Test
    void symlink_times_are_set_on_the_link_itself() throws IOException {
        extract(tar().symlink("l", "/nowhere").bytes());

        FileTime t = Files.getLastModifiedTime(diff.resolve("l"), LinkOption.NOFOLLOW_LINKS);
        assertThat(t.toInstant()).isEqualTo(TestTars.MTIME);
    }

    // --- what diff refuses

    @Test
    void a_flipped_byte_in_the_record_fails_its_checksum() throws IOException {
        ExtractResult result = extract(tar().file("a", "x").bytes());
        Path record = layer.resolve(TarRecord.FILE_NAME);
        byte[] r = Files.readAllBytes(record);
        r[r.length / 2] ^= 0x10;
        Files.write(record, r);

        assertThatThrownBy(() -> reproduce(result.diffDigest())).isInstanceOf(CorruptLayerException.class)
                .hasMessageContaining("checksum failed (hardware problem?)").hasMessageContaining("stored")
                .hasMessageContaining("computed");
    }

    @Test
    void a_sound_record_of_a_newer_version_is_too_new_not_corrupt() throws IOException {
        ExtractResult result = extract(tar().file("a", "x").bytes());
        Path record = layer.resolve(TarRecord.FILE_NAME);
        byte[] r = Files.readAllBytes(record);
        int version = TarRecord.MAGIC.length + 1 + TarRecord.FORMAT_NAME.length() + 3;
        r[version] = 9;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(r, 0, r.length - 4);
        java.nio.ByteBuffer.wrap(r).putInt(r.length - 4, (int) crc.getValue());
        Files.write(record, r);

        assertThatThrownBy(() -> reproduce(result.diffDigest()))
                .isInstanceOfSatisfying(dev.cairn.model.FormatTooNewException.class, e -> {
                    assertThat(e.foundVersion()).isEqualTo(9);
                    assertThat(e.newestVersion()).isEqualTo(TarRecord.VERSION);
                    assertThat(e.format()).isEqualTo(TarRecord.FORMAT_NAME);
                    assertThat(e.resource()).contains("layer test").contains(record.toString());
                })
                .hasMessageContaining("too new");
    }

    @Test
    void a_record_is_a_frame_of_ios_named_frame_format() throws Exception {
        extract(tar().file("a", "x").bytes());
        byte[] r = Files.readAllBytes(layer.resolve(TarRecord.FILE_NAME));
        dev.cairn.io.FrameFormat.Frame frame = dev.cairn.io.FrameFormat.named(TarRecord.FORMAT_NAME, 1,
                TarRecord.VERSION).read(r, () -> "tar-record");
        assertThat(frame.version()).isEqualTo(TarRecord.VERSION);
        assertThat(frame.body().remaining()).isEqualTo(r.length - (4 + 1 + TarRecord.FORMAT_NAME.length() + 4) - 4);
    }

    @Test
    void a_newer_version_under_a_failed_checksum_is_damage() throws IOException {
        ExtractResult result = extract(tar().file("a", "x").bytes());
        Path record = layer.resolve(TarRecord.FILE_NAME);
        byte[] r = Files.readAllBytes(record);
        r[TarRecord.MAGIC.length + 1 + TarRecord.FORMAT_NAME.length() + 3] = 9;
        Files.write(record, r);

        assertThatThrownBy(() -> reproduce(result.diffDigest())).isInstanceOf(CorruptLayerException.class)
                .hasMessageContaining("checksum failed (hardware problem?)").hasMessageContaining("version 9");
    }

    @Test
    void a_modified_file_is_named_in_the_error() throws IOException {
        ExtractResult result = extract(tar().file("dir/a", "original").bytes());
        Files.writeString(diff.resolve("dir/a"), "tampered");

        assertThatThrownBy(() -> reproduce(result.diffDigest())).isInstanceOf(CorruptLayerException.class)
                .hasMessageContaining("layer test").hasMessageContaining("dir/a");
    }

    @Test
    void a_symlink_planted_in_the_layer_is_not_followed() throws IOException {
        ExtractResult result = extract(tar().file("dir/a", "original").bytes());
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("a"), "original");
        Files.delete(diff.resolve("dir/a"));
        Files.delete(diff.resolve("dir"));
        Files.createSymbolicLink(diff.resolve("dir"), outside);

        assertThatThrownBy(() -> reproduce(result.diffDigest())).isInstanceOf(CorruptLayerException.class)
                .hasMessageContaining("symlink").hasMessageContaining("dir");

        Files.delete(diff.resolve("dir"));
        Files.createDirectory(diff.resolve("dir"));
        Files.createSymbolicLink(diff.resolve("dir/a"), outside.resolve("a"));
        assertThatThrownBy(() -> reproduce(result.diffDigest())).isInstanceOf(CorruptLayerException.class)
                .hasMessageContaining("dir/a");
    }

    @Test
    void a_wrong_expected_digest_is_an_error() throws IOException {
        extract(tar().file("a", "x").bytes());

        assertThatThrownBy(() -> reproduce(Digest.sha256(new byte[1]))).isInstanceOf(CorruptLayerException.class)
                .hasMessageContaining("layer test");
    }

    // --- helpers

    private ExtractResult extract(byte[] input) throws IOException {
        return LayerExtractor.extract(new ByteArrayInputStream(input), diff, manifest, ExtractOptions.DEFAULTS);
    }

    private byte[] reproduce(Digest expected) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = TarRecord.reproduce("test", layer, expected, out);
        assertThat(n).isEqualTo(out.size());
        return out.toByteArray();
    }

    private void clear() throws IOException {
        try (Stream<Path> walk = Files.walk(layer)) {
            for (Path p : walk.sorted((a, b) -> b.compareTo(a)).toList()) {
                if (!p.equals(diff) && !p.equals(layer)) {
                    Files.delete(p);
                }
            }
        }
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static void fixChecksum(byte[] tar, int header) {
        Arrays.fill(tar, header + 148, header + 156, (byte) ' ');
        long sum = 0;
        for (int i = header; i < header + 512; i++) {
            sum += tar[i] & 0xff;
        }
        byte[] field = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, tar, header + 148, 8);
    }

    private static boolean run(List<String> cmd) throws Exception {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false; // no tar on this machine
        }
    }
}
