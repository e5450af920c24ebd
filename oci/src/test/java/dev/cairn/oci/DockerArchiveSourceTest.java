package dev.cairn.oci;

import static dev.cairn.oci.TestImages.tar;
import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.AmbiguousImageException;
import dev.cairn.model.BlobNotFoundException;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.InvalidImageException;
import dev.cairn.model.UnsupportedImageException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageSource} over docker-archives (the class under test is {@link DockerArchiveSource}). */
class DockerArchiveSourceTest {

    private static final List<byte[]> TARS = List.of(tar("etc/a", "a"), tar("etc/b", "bb"));
    private static final byte[] CONFIG = TestImages.config("linux", "amd64", TARS);
    private static final String CONFIG_NAME = OciDigest.sha256(CONFIG).encoded() + ".json";

    @TempDir
    Path temp;

    private ImageSource open(Path file, String suffix) throws Exception {
        return ImageSource.open(ImageReference.parse("docker-archive:" + file + suffix), Platform.host());
    }

    /** A tar of the given entries: a value of byte[] is a file, of String a symlink target. */
    private Path archive(Map<String, Object> entries) throws Exception {
        Path file = temp.resolve("hand.tar");
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, Object> e : entries.entrySet()) {
                if (e.getValue() instanceof String target) {
                    TarArchiveEntry t = new TarArchiveEntry(e.getKey(), TarConstants.LF_SYMLINK);
                    t.setLinkName(target);
                    tar.putArchiveEntry(t);
                } else {
                    byte[] b = (byte[]) e.getValue();
                    TarArchiveEntry t = new TarArchiveEntry(e.getKey());
                    t.setSize(b.length);
                    tar.putArchiveEntry(t);
                    tar.write(b);
                }
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    private static byte[] manifestJson(String layers) {
        return utf8("[{\"Config\":\"" + CONFIG_NAME + "\",\"RepoTags\":[\"app:v1\"],\"Layers\":[" + layers + "]}]");
    }

    private static Map<String, Object> entries(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void readsAnArchiveOfLegacyFoldersWithSymlinkedLayers() throws Exception {
        Path file = archive(entries(CONFIG_NAME, CONFIG, "l0.tar", TARS.get(0), "id0/layer.tar", "../l0.tar",
                "id1/layer.tar", TARS.get(1), "manifest.json", manifestJson("\"id0/layer.tar\",\"./id1//layer.tar\"")));
        try (ImageSource src = open(file, ":app:v1")) {
            Image image = src.image();
            assertThat(image.config().digest()).isEqualTo(OciDigest.sha256(CONFIG));
            assertThat(image.names()).containsExactly("app:v1");
            assertThat(image.manifest().layers()).extracting(Descriptor::digest)
                    .containsExactly(OciDigest.sha256(TARS.get(0)), OciDigest.sha256(TARS.get(1)));
            assertThat(src.openLayer(0).readAllBytes()).isEqualTo(TARS.get(0));
            assertThat(src.openLayer(1).readAllBytes()).isEqualTo(TARS.get(1));
        }
    }

    @Test
    void layersReadAtOnceAreIndependentOfEachOther() throws Exception {
        Path file = DockerArchiveWriterTest.write(temp.resolve("w.tar"), "app:v1");
        try (ImageSource src = open(file, "")) {
            VerifiedBlobStream first = src.openLayer(0);
            VerifiedBlobStream second = src.openLayer(1);
            assertThat(first.readNBytes(10)).hasSize(10);
            Thread reader = new Thread(() -> {
                Thread.currentThread().interrupt();
                try (VerifiedBlobStream third = src.openLayer(1)) {
                    third.readAllBytes();
                } catch (java.io.IOException expected) {
                    // an interrupted reader fails alone
                }
            });
            reader.start();
            reader.join();
            first.close();
            assertThat(second.readAllBytes()).isEqualTo(TARS.get(1));
            assertThat(second.verified()).isTrue();
        }
    }

    @Test
    void aLayerThatIsNotItsDiffIdFailsAtItsEnd() throws Exception {
        byte[] other = tar("etc/a", "A");
        Path file = archive(entries(CONFIG_NAME, CONFIG, "l0.tar", other, "l1.tar", TARS.get(1), "manifest.json",
                manifestJson("\"l0.tar\",\"l1.tar\"")));
        try (ImageSource src = open(file, ""); VerifiedBlobStream in = src.openLayer(0)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(DigestMismatchException.class)
                    .hasMessageContaining("layer 0").hasMessageContaining(OciDigest.sha256(TARS.get(0)).toString());
        }
    }

    @Test
    void whatIsNotAPlainDockerArchiveIsRefusedWithItsReason() throws Exception {
        Path file = archive(entries(CONFIG_NAME, CONFIG, "l0.tar", TARS.get(0), "l1.tar", TARS.get(1),
                "manifest.json", manifestJson("\"l0.tar\",\"l1.tar\"")));
        Path gz = temp.resolve("a.tar.gz");
        try (OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(file));
        }
        assertThatThrownBy(() -> open(gz, "")).isInstanceOf(UnsupportedImageException.class)
                .hasMessageContaining("gzip-compressed");
        assertThatThrownBy(() -> open(temp.resolve("absent.tar"), "")).isInstanceOf(ImageNotFoundException.class);
        assertThatThrownBy(() -> open(archive(entries("repositories", utf8("{}"))), ""))
                .isInstanceOf(UnsupportedImageException.class).hasMessageContaining("before 1.10");
        assertThatThrownBy(() -> open(archive(entries(CONFIG_NAME, CONFIG, "l0.tar", TestImages.gzip(TARS.get(0)),
                "l1.tar", TARS.get(1), "manifest.json", manifestJson("\"l0.tar\",\"l1.tar\""))), ""))
                .isInstanceOf(UnsupportedImageException.class).hasMessageContaining("layer 0 (l0.tar)")
                .hasMessageContaining("compressed");
        assertThatThrownBy(() -> open(archive(entries(CONFIG_NAME, CONFIG, "l0.tar", TARS.get(0),
                "manifest.json", manifestJson("\"l0.tar\",\"l1.tar\""))), ""))
                .isInstanceOf(BlobNotFoundException.class).hasMessageContaining("l1.tar");
        assertThatThrownBy(() -> open(archive(entries(CONFIG_NAME, CONFIG, "l0.tar", TARS.get(0),
                "manifest.json", manifestJson("\"l0.tar\""))), ""))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("2 rootfs.diff_ids");
        assertThatThrownBy(() -> open(archive(entries(CONFIG_NAME, utf8("{\"os\":\"linux\"}"), "manifest.json",
                manifestJson(""))), "")).isInstanceOf(DigestMismatchException.class).hasMessageContaining(CONFIG_NAME);
        assertThatThrownBy(() -> open(archive(entries(CONFIG_NAME, CONFIG, "l0.tar", "../../etc/passwd",
                "l1.tar", TARS.get(1), "manifest.json", manifestJson("\"l0.tar\",\"l1.tar\""))), ""))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("outside the archive");
        assertThatThrownBy(() -> open(archive(entries("manifest.json", utf8("{}"))), ""))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("not a JSON array");
    }

    @Test
    void theReferenceChoosesAnItemByItsNormalisedRepoTagOrPosition() throws Exception {
        Path file = DockerArchiveWriterTest.write(temp.resolve("w.tar"), "example/app:v1", "example/app:latest");
        try (ImageSource src = open(file, ":docker.io/example/app")) {
            assertThat(src.image().names()).contains("docker.io/example/app:latest");
        }
        assertThatThrownBy(() -> open(file, ":example/app:v2")).isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("docker.io/example/app:v1");
        assertThatThrownBy(() -> open(file, ":@1")).isInstanceOf(ImageNotFoundException.class);
        ImageConfig other = ImageConfig.parse(TestImages.config("linux", "arm64", TARS), MediaTypes.OCI_CONFIG);
        Path two = temp.resolve("two.tar");
        try (DockerArchiveWriter w = DockerArchiveWriter.create(two)) {
            w.add(ImageConfig.parse(CONFIG, MediaTypes.OCI_CONFIG), DockerArchiveWriterTest.layers(TARS), List.of());
            w.add(other, DockerArchiveWriterTest.layers(TARS), List.of(DockerReference.parse("arm:1")));
            w.commit();
        }
        assertThatThrownBy(() -> open(two, "")).isInstanceOf(AmbiguousImageException.class)
                .satisfies(e -> assertThat(((AmbiguousImageException) e).candidates())
                        .containsExactly("@0", "docker.io/library/arm:1"));
        try (ImageSource src = open(two, ":@1")) {
            assertThat(src.image().config().digest()).isEqualTo(other.digest());
        }
    }

    @Test
    void readsWhatSkopeoWritesWithTheManifestDigestSkopeoReports() throws Exception {
        Tools.require("skopeo");
        TestImages.Layout layout = new TestImages.Layout(temp.resolve("img"));
        layout.tagged(layout.image("linux", "amd64", TARS), "v1");
        Path file = temp.resolve("skopeo.tar");
        Tools.skopeo("copy", "oci:" + layout.dir + ":v1", "docker-archive:" + file + ":example/app:v1");
        byte[] raw = Tools.skopeo("inspect", "--raw", "docker-archive:" + file).getBytes(StandardCharsets.UTF_8);
        try (ImageSource src = open(file, ":example/app:v1")) {
            Image image = src.image();
            assertThat(image.manifest().bytes()).isEqualTo(raw);
            assertThat(image.config().digest()).isEqualTo(OciDigest.sha256(CONFIG));
            assertThat(image.names()).containsExactly("docker.io/example/app:v1");
            for (ImageLayer l : image.layers()) {
                assertThat(src.openLayer(l.index()).readAllBytes()).isEqualTo(TARS.get(l.index()));
            }
        }
        try (ImageSource oci = ImageSource.open(ImageReference.parse("oci:" + layout.dir + ":v1"), Platform.host());
             ImageSource archive = open(file, "")) {
            assertThat(archive.image().id()).isEqualTo(oci.image().id());
            ByteArrayOutputStream unzipped = new ByteArrayOutputStream();
            new GZIPInputStream(oci.openLayer(1)).transferTo(unzipped);
            assertThat(archive.openLayer(1).readAllBytes()).isEqualTo(unzipped.toByteArray());
        }
    }

    @Test
    void readsTheShapeDocker25SavesAnOciLayoutBesideManifestJson() throws Exception {
        String c = "blobs/sha256/" + OciDigest.sha256(CONFIG).encoded();
        String l0 = "blobs/sha256/" + OciDigest.sha256(TARS.get(0)).encoded();
        String l1 = "blobs/sha256/" + OciDigest.sha256(TARS.get(1)).encoded();
        Path file = archive(entries("oci-layout", utf8("{\"imageLayoutVersion\":\"1.0.0\"}"),
                "index.json", utf8("{\"schemaVersion\":2,\"manifests\":[]}"), c, CONFIG, l0, TARS.get(0),
                l1, TARS.get(1), "manifest.json", utf8("[{\"Config\":\"" + c + "\",\"RepoTags\":[\"app:v1\"],"
                + "\"Layers\":[\"" + l0 + "\",\"" + l1 + "\"]}]")));
        try (ImageSource src = open(file, ":app:v1")) {
            assertThat(src.image().config().digest()).isEqualTo(OciDigest.sha256(CONFIG));
            assertThat(src.openLayer(1).readAllBytes()).isEqualTo(TARS.get(1));
        }
    }
}
