package dev.cairn.oci;

import static dev.cairn.oci.TestImages.tar;
import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.DigestMismatchException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerArchiveWriterTest {

    private static final List<byte[]> TARS = List.of(tar("etc/a", "a"), tar("etc/b", "bb"));
    private static final ImageConfig CONFIG;

    static {
        try {
            CONFIG = ImageConfig.parse(TestImages.config("linux", "amd64", TARS), MediaTypes.OCI_CONFIG);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @TempDir
    Path temp;

    static List<DockerArchiveWriter.Layer> layers(List<byte[]> tars) {
        List<DockerArchiveWriter.Layer> out = new ArrayList<>();
        for (byte[] t : tars) {
            out.add(new DockerArchiveWriter.Layer(OciDigest.sha256(t), t.length, () -> new ByteArrayInputStream(t)));
        }
        return out;
    }

    /** Writes one archive of the test image tagged {@code tags} and returns its path. */
    static Path write(Path file, String... tags) throws Exception {
        try (DockerArchiveWriter w = DockerArchiveWriter.create(file)) {
            w.add(CONFIG, layers(TARS), Stream.of(tags).map(DockerReference::parse).toList());
            w.commit();
        }
        return file;
    }

    @Test
    void writesConfigLayersLegacyFoldersManifestAndRepositories() throws Exception {
        Path file = write(temp.resolve("a.tar"), "example/app:v1");
        try (ImageSource src = ImageSource.open(ImageReference.parse("docker-archive:" + file), Platform.host())) {
            Image image = src.image();
            assertThat(image.config().bytes()).isEqualTo(CONFIG.bytes());
            assertThat(image.names()).containsExactly("docker.io/example/app:v1");
            for (ImageLayer l : image.layers()) {
                assertThat(src.openLayer(l.index()).readAllBytes()).isEqualTo(TARS.get(l.index()));
                assertThat(l.uncompressed()).isTrue();
            }
        }
        String listing = Tools.run(List.of("tar", "-tf", file.toString()));
        assertThat(listing.lines()).contains(CONFIG.digest().encoded() + ".json", "manifest.json", "repositories",
                OciDigest.sha256(TARS.get(0)).encoded() + ".tar");
        assertThat(listing.lines().filter(n -> n.endsWith("/layer.tar"))).hasSize(2);
        String repositories = Tools.run(List.of("tar", "-xOf", file.toString(), "repositories"));
        assertThat(repositories).startsWith("{\"docker.io/example/app\":{\"v1\":\"");
    }

    @Test
    void imagesSharingLayersStoreThemOnceAndTheSameImageAddedAgainGainsTags() throws Exception {
        ImageConfig other = ImageConfig.parse(TestImages.config("linux", "arm64", TARS.subList(0, 1)),
                MediaTypes.OCI_CONFIG);
        Path file = temp.resolve("two.tar");
        try (DockerArchiveWriter w = DockerArchiveWriter.create(file)) {
            w.add(CONFIG, layers(TARS), List.of(DockerReference.parse("app:1")));
            w.add(other, layers(TARS.subList(0, 1)), List.of(DockerReference.parse("app:arm")));
            w.add(CONFIG, layers(TARS), List.of(DockerReference.parse("app:latest"), DockerReference.parse("app:1")));
            w.commit();
        }
        String manifest = Tools.run(List.of("tar", "-xOf", file.toString(), "manifest.json"));
        assertThat(manifest).contains("\"RepoTags\":[\"docker.io/library/app:1\",\"docker.io/library/app:latest\"]");
        String listing = Tools.run(List.of("tar", "-tf", file.toString()));
        assertThat(listing.lines().filter(n -> n.equals(OciDigest.sha256(TARS.get(0)).encoded() + ".tar"))).hasSize(1);
        try (ImageSource src = ImageSource.open(ImageReference.parse("docker-archive:" + file + ":app:arm"),
                Platform.host())) {
            assertThat(src.image().config().digest()).isEqualTo(other.digest());
        }
    }

    @Test
    void aLayerThatIsNotItsDiffIdAbandonsTheArchiveAndLeavesTheTargetAsItWas() throws Exception {
        Path file = temp.resolve("a.tar");
        Files.writeString(file, "the old file");
        List<DockerArchiveWriter.Layer> bad = new ArrayList<>(layers(TARS));
        byte[] wrong = tar("etc/b", "XX");
        bad.set(1, new DockerArchiveWriter.Layer(OciDigest.sha256(TARS.get(1)), wrong.length,
                () -> new ByteArrayInputStream(wrong)));
        try (DockerArchiveWriter w = DockerArchiveWriter.create(file)) {
            assertThatThrownBy(() -> w.add(CONFIG, bad, List.of())).isInstanceOf(DigestMismatchException.class)
                    .hasMessageContaining(OciDigest.sha256(TARS.get(1)).toString());
            assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class);
        }
        assertThat(Files.readString(file)).isEqualTo("the old file");
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("a.tar");
        }
        assertThatThrownBy(() -> {
            try (DockerArchiveWriter w = DockerArchiveWriter.create(file)) {
                w.add(CONFIG, layers(TARS.subList(0, 1)), List.of());
            }
        }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DiffIDs");
    }

    @Test
    void skopeoReadsWhatItWritesWithTheSameConfigAndLayerDigests() throws Exception {
        Tools.require("skopeo");
        Path file = write(temp.resolve("ours.tar"), "example/app:v1");
        String raw = Tools.skopeo("inspect", "--raw", "docker-archive:" + file);
        ImageManifest m = ImageManifest.parse(utf8(raw), MediaTypes.DOCKER_MANIFEST);
        assertThat(m.config().digest()).isEqualTo(CONFIG.digest());
        assertThat(m.layers()).extracting(Descriptor::digest)
                .containsExactly(OciDigest.sha256(TARS.get(0)), OciDigest.sha256(TARS.get(1)));
        try (ImageSource src = ImageSource.open(ImageReference.parse("docker-archive:" + file), Platform.host())) {
            assertThat(src.image().manifest().bytes()).isEqualTo(raw.getBytes(StandardCharsets.UTF_8));
        }
        Path copy = temp.resolve("copy.tar");
        Tools.skopeo("copy", "docker-archive:" + file + ":example/app:v1", "docker-archive:" + copy + ":app:v2");
        try (ImageSource src = ImageSource.open(ImageReference.parse("docker-archive:" + copy), Platform.host())) {
            assertThat(src.image().manifest().digest()).isEqualTo(m.digest());
            assertThat(src.image().names()).containsExactly("docker.io/library/app:v2");
        }
        // To OCI skopeo converts the config (new bytes, new digest); the layers' DiffIDs are what stays.
        Path back = temp.resolve("back");
        Tools.skopeo("copy", "docker-archive:" + file + ":example/app:v1", "oci:" + back + ":v1");
        try (ImageSource src = ImageSource.open(ImageReference.parse("oci:" + back + ":v1"), Platform.host())) {
            assertThat(src.image().layers()).extracting(ImageLayer::diffId).containsExactlyElementsOf(CONFIG.diffIds());
        }
    }
}
