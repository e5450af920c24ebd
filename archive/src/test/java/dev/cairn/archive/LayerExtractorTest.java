package dev.cairn.archive;

import dev.cairn.io.Posix;
import static dev.cairn.archive.TestTars.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.cairn.model.CairnException;
import dev.cairn.model.Compression;
import dev.cairn.model.CorruptArchiveException;
import dev.cairn.model.Digest;
import dev.cairn.model.UnsafeArchiveException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class LayerExtractorTest {

    @TempDir
    Path temp;
    Path diff;
    Path manifest;
    Path outside;

    @BeforeEach
    void layout() throws IOException {
        diff = Files.createDirectories(temp.resolve("staging/s1/diff"));
        manifest = temp.resolve("staging/s1/manifest");
        outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("sentinel"), "keep me");
    }

    private ExtractResult extract(byte[] input) throws IOException {
        return extract(input, ExtractOptions.DEFAULTS);
    }

    private ExtractResult extract(byte[] input, ExtractOptions options) throws IOException {
        return LayerExtractor.extract(new ByteArrayInputStream(input), diff, manifest, options);
    }

    private static byte[] compress(Compression c, byte[] plain) {
        return switch (c) {
            case NONE -> plain;
            case GZIP -> TestTars.gzip(plain);
            case ZSTD -> TestTars.zstd(plain);
        };
    }

    private static byte[] sample() {
        return tar().dir("etc", 0755).file("etc/hosts", "127.0.0.1 localhost\n").file("empty", "")
                .symlink("link", "etc/hosts").bytes();
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void every_compression_gives_the_same_diff_digest_and_the_digest_of_the_bytes_received(Compression c)
            throws IOException {
        byte[] plain = sample();
        byte[] input = compress(c, plain);

        ExtractResult result = extract(input);

        assertThat(result.compression()).isEqualTo(c);
        assertThat(result.diffDigest()).isEqualTo(Digest.sha256(plain));
        assertThat(result.diffSize()).isEqualTo(plain.length);
        assertThat(result.compressedDigest()).isEqualTo(Digest.sha256(input));
        assertThat(result.compressedSize()).isEqualTo(input.length);
        assertThat(result.entryCount()).isEqualTo(4);
        assertThat(result.fileBytes()).isEqualTo(20);
        assertThat(diff.resolve("etc/hosts")).hasContent("127.0.0.1 localhost");
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void bytes_after_the_end_of_archive_blocks_count_in_the_diff_digest(Compression c) throws IOException {
        byte[] tar = sample();
        byte[] plain = Arrays.copyOf(tar, tar.length + 1000);
        for (int i = tar.length; i < plain.length; i++) {
            plain[i] = (byte) (i * 31);
        }
        byte[] input = compress(c, plain);

        ExtractResult result = extract(input);

        assertThat(result.diffDigest()).isEqualTo(Digest.sha256(plain));
        assertThat(result.diffSize()).isEqualTo(plain.length);
        assertThat(result.compressedDigest()).isEqualTo(Digest.sha256(input));
    }

    @Test
    void bytes_after_the_end_of_a_gzip_stream_count_in_the_compressed_digest_only() throws IOException {
        byte[] plain = sample();
        byte[] gz = TestTars.gzip(plain);
        byte[] input = Arrays.copyOf(gz, gz.length + 7);

        ExtractResult result = extract(input);

        assertThat(result.compressedDigest()).isEqualTo(Digest.sha256(input));
        assertThat(result.compressedSize()).isEqualTo(input.length);
        assertThat(result.diffDigest()).isEqualTo(Digest.sha256(plain));
    }

    @Test
    void an_empty_input_is_refused_but_a_compressed_empty_stream_is_an_empty_layer() throws IOException {
        assertThatThrownBy(() -> extract(new byte[0])).isInstanceOf(CorruptArchiveException.class)
                .hasMessageContaining("the input is empty (0 bytes");

        ExtractResult r = extract(TestTars.gzip(new byte[0]));

        assertThat(r.diffSize()).isZero();
        assertThat(r.compression()).isEqualTo(Compression.GZIP);
    }

    @Test
    void extracts_files_directories_symlinks_hardlinks_with_modes_and_times() throws IOException {
        byte[] input = tar().dir("bin", 0750).file("bin/sh", "#!".getBytes(StandardCharsets.UTF_8), 04755)
                .file("bin/ro", new byte[] {1, 2, 3}, 0400).hardlink("bin/sh2", "bin/sh")
                .symlink("bin/abs", "/nowhere/at/all").dir("./tmp", 01777).file("/etc/abs-name", "x")
                .file(".wh.gone", "").dir("opq", 0755).file("opq/.wh..wh..opq", "").bytes();

        extract(input);

        assertThat(mode(diff.resolve("bin"))).isEqualTo(0750);
        assertThat(mode(diff.resolve("bin/sh"))).isEqualTo(04755);
        assertThat(mode(diff.resolve("bin/ro"))).isEqualTo(0400);
        assertThat(mode(diff.resolve("tmp"))).isEqualTo(01777);
        assertThat(diff.resolve("bin/ro")).hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(fileKey(diff.resolve("bin/sh2"))).isEqualTo(fileKey(diff.resolve("bin/sh")));
        assertThat(Files.readSymbolicLink(diff.resolve("bin/abs"))).isEqualTo(Path.of("/nowhere/at/all"));
        assertThat(diff.resolve("etc/abs-name")).hasContent("x");
        assertThat(diff.resolve(".wh.gone")).isEmptyFile();
        assertThat(diff.resolve("opq/.wh..wh..opq")).exists();
        for (String p : List.of("bin", "bin/sh", "bin/abs", "tmp", "opq")) {
            assertThat(Files.getLastModifiedTime(diff.resolve(p), LinkOption.NOFOLLOW_LINKS))
                    .as(p).isEqualTo(FileTime.from(TestTars.MTIME));
        }
    }

    @Test
    void every_permission_set_comes_out_exactly_whatever_the_umask_keeps() throws IOException {
        TestTars t = tar();
        for (int mode = 0; mode < 01000; mode += 011) {
            t.file("f" + Integer.toOctalString(mode), new byte[] {1}, mode);
            t.dir("d" + Integer.toOctalString(mode), mode | 0700);
        }
        for (int special : new int[] {04755, 02755, 01777, 06711}) {
            t.file("s" + Integer.toOctalString(special), new byte[] {1}, special);
            t.dir("sd" + Integer.toOctalString(special), special);
        }

        extract(t.bytes());

        for (int mode = 0; mode < 01000; mode += 011) {
            assertThat(mode(diff.resolve("f" + Integer.toOctalString(mode)))).as("file %o", mode).isEqualTo(mode);
            assertThat(mode(diff.resolve("d" + Integer.toOctalString(mode)))).as("dir %o", mode)
                    .isEqualTo(mode | 0700);
        }
        for (int special : new int[] {04755, 02755, 01777, 06711}) {
            assertThat(mode(diff.resolve("s" + Integer.toOctalString(special)))).isEqualTo(special);
            assertThat(mode(diff.resolve("sd" + Integer.toOctalString(special)))).isEqualTo(special);
        }
        try (Stream<Path> left = Files.list(diff)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("probe"));
        }
    }

    @Test
    void owners_are_applied_as_root_whether_or_not_they_are_roots_own() throws IOException {
        assumeThat(Posix.isRoot()).as("ownership is applied only as root").isTrue();
        TestTars t = tar();
        for (int[] owner : new int[][] {{0, 0}, {1000, 1000}, {0, 100}, {33, 0}}) {
            TarArchiveEntry file = new TarArchiveEntry("f" + owner[0] + "-" + owner[1]);
            file.setSize(1);
            file.setMode(06755);
            file.setUserId(owner[0]);
            file.setGroupId(owner[1]);
            t.entry(file, new byte[] {1});
            TarArchiveEntry link = new TarArchiveEntry("l" + owner[0] + "-" + owner[1], TarConstants.LF_SYMLINK);
            link.setLinkName("target");
            link.setUserId(owner[0]);
            link.setGroupId(owner[1]);
            t.entry(link, null);
        }

        extract(t.bytes());

        for (int[] owner : new int[][] {{0, 0}, {1000, 1000}, {0, 100}, {33, 0}}) {
            for (String kind : List.of("f", "l")) {
                Path p = diff.resolve(kind + owner[0] + "-" + owner[1]);
                assertThat(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as("%s", p).isEqualTo(owner[0]);
                assertThat(Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).as("%s", p).isEqualTo(owner[1]);
            }
            // the chown clears setuid and setgid; they must come back
            assertThat(mode(diff.resolve("f" + owner[0] + "-" + owner[1]))).isEqualTo(06755);
        }
    }

    @Test
    void a_later_entry_for_the_same_path_wins() throws IOException {
        byte[] input = tar().file("f", "first").file("f", "second")
                .symlink("s", outside.resolve("sentinel").toString()).file("s", "replaces the symlink")
                .file("l", "file").symlink("l", "target")
                .dir("d", 0755).file("d/old", "gone").file("d", "a file now")
                .dir("m", 0700).file("m/a", "a").dir("m", 0755).file("m/b", "b").bytes();

        extract(input);

        assertThat(diff.resolve("f")).hasContent("second");
        assertThat(diff.resolve("s")).isRegularFile().hasContent("replaces the symlink");
        assertThat(Files.readSymbolicLink(diff.resolve("l"))).isEqualTo(Path.of("target"));
        assertThat(diff.resolve("d")).isRegularFile().hasContent("a file now");
        assertThat(diff.resolve("m/a")).hasContent("a");
        assertThat(diff.resolve("m/b")).hasContent("b");
        assertThat(mode(diff.resolve("m"))).isEqualTo(0755);
        assertThat(outside.resolve("sentinel")).hasContent("keep me");
        assertThat(ManifestVerifier.verify(diff, manifest)).isEmpty();
    }

    static Stream<Arguments> attacks() {
        return Stream.of(
                attack("dot-dot", out -> tar().file("../x", "evil")),
                attack("dot-dot after a component", out -> tar().file("a/../../x", "evil")),
                attack("deep dot-dot", out -> tar().dir("a", 0755).file("a/b/../../../x", "evil")),
                attack("file under an absolute symlink", out -> tar().symlink("a", out).file("a/b", "evil")),
                attack("file under a symlink to ..", out -> tar().symlink("a", "..").file("a/x", "evil")),
                attack("overwrite through a symlink dir", out -> tar().symlink("a", out).file("a/sentinel", "evil")),
                attack("directory under a symlink", out -> tar().symlink("d", out).dir("d/sub", 0755)),
                attack("symlink under a symlink", out -> tar().symlink("d", out).symlink("d/l", "/")),
                attack("hardlink to ../../etc/passwd", out -> tar().hardlink("h", "../../etc/passwd")),
                attack("hardlink through a symlink", out -> tar().symlink("s", out).hardlink("h", "s/sentinel")),
                attack("hardlink to a symlink", out -> tar().symlink("s", out + "/sentinel").hardlink("h", "s")),
                attack("hardlink to nothing", out -> tar().hardlink("h", "missing")),
                attack("hardlink placed under a symlink",
                        out -> tar().file("f", "x").symlink("d", out).hardlink("d/h", "f")));
    }

    private static Arguments attack(String name, Function<String, TestTars> archive) {
        return Arguments.of(name, archive);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void an_unsafe_archive_is_refused_and_nothing_escapes_or_stays(String name, Function<String, TestTars> archive)
            throws IOException {
        byte[] input = archive.apply(outside.toString()).bytes();
        TreeMap<String, String> before = snapshot(temp);

        assertThatThrownBy(() -> extract(input)).isInstanceOf(UnsafeArchiveException.class);

        assertThat(outside.resolve("sentinel")).hasContent("keep me");
        assertThat(diff).isEmptyDirectory();
        assertThat(manifest).doesNotExist();
        assertThat(snapshot(temp)).isEqualTo(before);
    }

    @Test
    void an_absolute_name_is_made_relative() throws IOException {
        extract(tar().file("/abs/file", "x").bytes());

        assertThat(diff.resolve("abs/file")).hasContent("x");
        assertThat(Manifest.read(manifest).entries().get(0).path()).isEqualTo("abs/file");
    }

    @Test
    void a_dot_dot_that_stays_inside_is_resolved_lexically() throws IOException {
        extract(tar().file("a/../b", "x").bytes());

        assertThat(diff.resolve("b")).hasContent("x");
    }

    @Test
    void a_file_naming_the_root_is_recorded_but_the_root_stays_a_folder() throws IOException {
        extract(tar().file(".", "not the root").file("f", "x").bytes());

        assertThat(diff).isDirectory();
        assertThat(diff.resolve("f")).hasContent("x");
        assertThat(Manifest.read(manifest).entries().get(0).type()).isEqualTo(Manifest.EntryType.OTHER);
    }

    @Test
    void fifos_are_created_and_devices_only_as_root() throws IOException {
        TarArchiveEntry fifo = new TarArchiveEntry("fifo", TarConstants.LF_FIFO);
        TarArchiveEntry chr = new TarArchiveEntry("dev/null", TarConstants.LF_CHR);
        chr.setDevMajor(1);
        chr.setDevMinor(3);
        extract(tar().entry(fifo, null).entry(chr, null).bytes());

        assertThat(Files.getAttribute(diff.resolve("fifo"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(Posix.S_IFIFO | 0644);
        if (Posix.isRoot()) {
            assertThat((Long) Files.getAttribute(diff.resolve("dev/null"), "unix:rdev", LinkOption.NOFOLLOW_LINKS))
                    .isEqualTo(Posix.makedev(1, 3));
        } else {
            assertThat(diff.resolve("dev/null")).doesNotExist();
        }
        List<Manifest.Entry> entries = Manifest.read(manifest).entries();
        assertThat(entries).extracting(Manifest.Entry::type)
                .containsExactly(Manifest.EntryType.FIFO, Manifest.EntryType.CHAR_DEVICE);
        assertThat(entries.get(1).devMajor()).isEqualTo(1);
        assertThat(entries.get(1).devMinor()).isEqualTo(3);
    }

    @Test
    void the_manifest_records_every_entry_in_order() throws IOException {
        TarArchiveEntry withXattr = new TarArchiveEntry("x");
        withXattr.addPaxHeader("SCHILY.xattr.user.note", "hello");
        withXattr.setSize(1);
        withXattr.setUserId(1000);
        withXattr.setGroupId(100);
        withXattr.setUserName("me");
        byte[] input = tar().dir("d", 0700).file("d/f", "abc").symlink("d/l", "f").hardlink("d/h", "d/f")
                .entry(withXattr, new byte[] {'!'}).bytes();

        extract(input);

        List<Manifest.Entry> entries = Manifest.read(manifest).entries();
        assertThat(entries).extracting(Manifest.Entry::path).containsExactly("d", "d/f", "d/l", "d/h", "x");
        assertThat(entries.get(1).contentDigest()).isEqualTo(Digest.sha256("abc".getBytes(StandardCharsets.UTF_8)));
        assertThat(entries.get(1).size()).isEqualTo(3);
        assertThat(entries.get(2).linkTarget()).isEqualTo("f");
        assertThat(entries.get(3).linkTarget()).isEqualTo("d/f");
        assertThat(entries.get(4).xattrs()).containsEntry("user.note", "hello");
        assertThat(entries.get(4).uid()).isEqualTo(1000);
        assertThat(entries.get(4).uname()).isEqualTo("me");
        assertThat(entries.get(0).mode()).isEqualTo(0700);
        assertThat(entries.get(0).mtime()).isEqualTo(TestTars.MTIME);
    }

    @Test
    void progress_reports_raw_bytes_monotonically_up_to_the_total() throws IOException {
        byte[] big = new byte[3 << 20];
        new Random(7).nextBytes(big);
        byte[] input = TestTars.gzip(tar().file("big", big, 0644).bytes());
        List<Long> seen = new ArrayList<>();

        extract(input, ExtractOptions.DEFAULTS.toBuilder().progress(seen::add).build());

        assertThat(seen).isSorted().isNotEmpty();
        assertThat(seen.get(seen.size() - 1)).isEqualTo(input.length);
        assertThat(diff.resolve("big")).hasBinaryContent(big);
    }

    @Test
    void an_empty_tar_is_the_empty_layer() throws IOException {
        ExtractResult result = extract(EmptyLayer.tar());

        assertThat(result.diffDigest()).isEqualTo(EmptyLayer.DIFF_DIGEST);
        assertThat(result.diffSize()).isEqualTo(EmptyLayer.DIFF_SIZE);
        assertThat(result.entryCount()).isZero();
        assertThat(Manifest.read(manifest).entries()).isEmpty();
    }

    @Test
    void the_target_must_be_an_empty_directory() throws IOException {
        Files.writeString(diff.resolve("stale"), "x");

        assertThatThrownBy(() -> extract(sample())).isInstanceOf(DirectoryNotEmptyException.class);
        assertThat(diff.resolve("stale")).exists();
        assertThat(manifest).doesNotExist();
    }

    @Test
    void every_way_of_syncing_gives_the_same_result() throws IOException {
        byte[] input = sample();
        ExtractOptions eachFile = ExtractOptions.DEFAULTS.toBuilder().syncfs(false).build();
        for (ExtractOptions o : List.of(ExtractOptions.DEFAULTS, eachFile,
                eachFile.toBuilder().fsyncParallelism(0).build(),
                ExtractOptions.DEFAULTS.toBuilder().fsyncParallelism(0).build(),
                ExtractOptions.DEFAULTS.toBuilder().unsafeNoSync(true).build())) {
            ExtractResult result = extract(input, o);
            assertThat(result.diffDigest()).isEqualTo(Digest.sha256(input));
            assertThat(ManifestVerifier.verify(diff, manifest)).isEmpty();
            clear();
        }
    }

    // --- corrupt input

    static Stream<Arguments> corruptInputs() {
        byte[] tar = sample();
        byte[] gz = TestTars.gzip(tar);
        byte[] zst = TestTars.zstd(tar);
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        byte[] badChecksum = tar.clone();
        badChecksum[512 + 10] ^= 0x55; // the second header's name
        byte[] bz2 = "BZh91AY&SY".getBytes(StandardCharsets.ISO_8859_1);
        byte[] xz = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 0, 4, 0, 0, 0, 0};
        byte[] gzGarbage = Arrays.copyOf(gz, gz.length);
        for (int i = 20; i < gzGarbage.length - 8; i++) {
            gzGarbage[i] = (byte) (i * 7);
        }
        byte[] bigFile = tar().file("big", new byte[5000], 0644).bytes();
        return Stream.of(
                Arguments.of("truncated gzip", Arrays.copyOf(gz, gz.length / 2),
                        "the gzip stream ends early at byte "),
                Arguments.of("truncated zstd", Arrays.copyOf(zst, zst.length / 2), "zstd stream"),
                Arguments.of("gzip with garbage inside", gzGarbage, "gzip stream is corrupt"),
                Arguments.of("tar truncated in a file", Arrays.copyOf(bigFile, 2000), "in the content of entry 'big'"),
                Arguments.of("tar truncated in a header", Arrays.copyOf(tar, 512 + 300), "corrupt tar"),
                Arguments.of("random bytes", random,
                        "not a tar archive (its first 512 bytes are no tar header, nor gzip or zstd data)"),
                Arguments.of("bzip2 magic", bz2, "bzip2"),
                Arguments.of("xz magic", Arrays.copyOf(xz, 600), "xz"),
                Arguments.of("text", "hello, this is not a tar\n".repeat(30).getBytes(StandardCharsets.UTF_8),
                        "not a tar archive (the file starts with text: \"hello, this is not a tar\")"),
                Arguments.of("bad header checksum after the first entry", badChecksum, "after entry 'etc/'"),
                Arguments.of("gzip of random bytes", TestTars.gzip(random), "after gzip decompression"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptInputs")
    void unreadable_input_is_a_corrupt_archive_with_one_clear_line(String name, byte[] input, String says) {
        assertThatThrownBy(() -> extract(input)).isInstanceOf(CorruptArchiveException.class)
                .hasMessageContaining(says)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "ZLIB", "random or unknown"));
        assertThat(diff).isEmptyDirectory();
        assertThat(manifest).doesNotExist();
    }

    // --- limits

    @Test
    void more_entries_than_allowed_are_refused() {
        byte[] input = tar().file("a", "1").file("b", "2").file("c", "3").bytes();

        assertThatThrownBy(() -> extract(input, ExtractOptions.DEFAULTS.toBuilder().maxEntries(2).build()))
                .isInstanceOf(UnsafeArchiveException.class).hasMessageContaining("'c'")
                .hasMessageContaining("maxEntries");
        assertThat(diff).isEmptyDirectory();
    }

    @Test
    void a_name_longer_than_allowed_is_refused() {
        byte[] input = tar().file("d/" + "n".repeat(300), "1").bytes();

        assertThatThrownBy(() -> extract(input, ExtractOptions.DEFAULTS.toBuilder().maxNameBytes(255).build()))
                .isInstanceOf(UnsafeArchiveException.class).hasMessageContaining("maxNameBytes");
    }

    @Test
    void a_pax_header_larger_than_allowed_is_refused_before_it_is_read() {
        TarArchiveEntry e = new TarArchiveEntry("x");
        e.addPaxHeader("comment", "c".repeat(10_000));
        byte[] input = tar().entry(e, new byte[0]).bytes();

        assertThatThrownBy(() -> extract(input, ExtractOptions.DEFAULTS.toBuilder().maxPaxHeaderBytes(4096).build()))
                .isInstanceOf(UnsafeArchiveException.class).hasMessageContaining("maxPaxHeaderBytes");
    }

    @Test
    void an_uncompressed_stream_larger_than_allowed_is_refused() {
        byte[] input = TestTars.gzip(tar().file("big", new byte[1 << 20], 0644).bytes());

        assertThatThrownBy(() -> extract(input, ExtractOptions.DEFAULTS.toBuilder().maxDiffSize(100_000).build()))
                .isInstanceOf(UnsafeArchiveException.class).hasMessageContaining("maxDiffSize");
        assertThat(diff).isEmptyDirectory();
    }

    @Test
    void a_failing_input_stream_is_a_plain_io_error() {
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 1000) {
                    throw new IOException("connection reset");
                }
                return 0x1f;
            }
        };

        assertThatThrownBy(() -> LayerExtractor.extract(failing, diff, manifest, ExtractOptions.DEFAULTS))
                .isInstanceOf(IOException.class).isNotInstanceOf(CairnException.class);
    }

    // --- shared vectors

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.cairn.archive.TestTars#sharedTars")
    void every_shared_tar_gnu_tar_lists_either_extracts_or_fails_with_a_cairn_error(Path tar) throws Exception {
        assumeThat(tar).as("shared test vectors at ../../shared/testdata/tar (from the module dir)").exists();
        assumeThat(TestTars.acceptable(tar)).as("GNU tar -tf accepts " + tar.getFileName()).isTrue();
        TreeMap<String, String> before = snapshot(temp);
        try {
            ExtractResult result = extract(Files.readAllBytes(tar));
            assertThat(result.diffDigest()).isEqualTo(Digest.sha256(Files.readAllBytes(tar)));
            assertThat(ManifestVerifier.verify(diff, manifest)).isEmpty();
        } catch (CairnException e) {
            System.out.println("SHARED-VECTOR " + tar.getFileName() + " refused: " + e.getMessage());
            assertThat(snapshot(temp)).isEqualTo(before);
        }
        assertThat(outside.resolve("sentinel")).hasContent("keep me");
    }

    // --- helpers

    private void clear() throws IOException {
        try (Stream<Path> walk = Files.walk(diff)) {
            for (Path p : walk.sorted((a, b) -> b.compareTo(a)).toList()) {
                if (!p.equals(diff)) {
                    Files.delete(p);
                }
            }
        }
        Files.delete(manifest);
        Files.delete(manifest.resolveSibling(TarRecord.FILE_NAME));
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static Object fileKey(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /**
     * Every path under {@code dir} with its type and size, symlinks not followed, and the mtimes of what lies outside
     * the staging folder (whose directories' mtimes change as extraction creates and removes entries).
     */
    static TreeMap<String, String> snapshot(Path dir) throws IOException {
        TreeMap<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                all.put(dir.relativize(p).toString(), (a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : "f")
                        + a.size() + (p.startsWith(dir.resolve("staging")) ? "" : "@" + a.lastModifiedTime()));
            }
        }
        return all;
    }
}
