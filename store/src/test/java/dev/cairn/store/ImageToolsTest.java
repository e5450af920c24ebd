package dev.cairn.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.io.Posix;
import dev.cairn.model.Digest;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.LayerId;
import dev.cairn.oci.ImageReference;
import dev.cairn.oci.Platform;
import dev.cairn.oci.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Images in the store checked against the real tools, as issue 12 asks: the layer and image ids containers/storage
 * gives the same image ({@code skopeo copy oci:… containers-storage:[vfs@…]}), exports that skopeo reads with the same
 * digests, and a checkout of the top layer equal to {@code umoci unpack}. The images are made by the tests: written
 * by hand ({@link TestImage}) and built by umoci. Each test skips, saying why, where a tool is missing.
 */
class ImageToolsTest {

    private static final Platform AMD64 = Platform.of("linux", "amd64", null);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    private LayerStore store;

    @BeforeEach
    void open() throws IOException {
        store = LayerStore.open(temp.resolve("store"));
    }

    @AfterEach
    void close() throws IOException {
        store.close();
    }

    /** A three-layer image built by umoci: a file, a second one, then a whiteout of the first and a symlink. */
    private Path umociImage() throws Exception {
        Tools.require("umoci");
        Path layout = temp.resolve("umoci-layout");
        Tools.umoci("init", "--layout", layout.toString());
        Tools.umoci("new", "--image", layout + ":v1");
        Path one = Files.createDirectories(temp.resolve("one/etc"));
        Files.writeString(one.resolve("motd"), "hello\n");
        Files.createDirectories(temp.resolve("one/usr/bin"));
        Files.writeString(temp.resolve("one/usr/bin/tool"), "#!/bin/sh\necho tool\n");
        Tools.umoci("insert", "--image", layout + ":v1", temp.resolve("one").toString(), "/");
        Path two = Files.createDirectories(temp.resolve("two/srv"));
        Files.write(two.resolve("data.bin"), new byte[200_000]);
        Tools.umoci("insert", "--image", layout + ":v1", temp.resolve("two").toString(), "/");
        Tools.umoci("insert", "--image", layout + ":v1", "--whiteout", "/etc/motd");
        Path three = Files.createDirectories(temp.resolve("three"));
        Files.createSymbolicLink(three.resolve("link"), Path.of("srv/data.bin"));
        Tools.umoci("insert", "--image", layout + ":v1", three.toString(), "/");
        return layout;
    }

    @Test
    void skopeoGivesTheSameImageInContainersStorageTheSameLayerIdsAndTheSameImageId() throws Exception {
        Tools.require("skopeo");
        Path layout = umociImage();
        Path vfs = temp.resolve("containers-storage");
        String destination = "containers-storage:[vfs@" + vfs.resolve("root") + "+" + vfs.resolve("run")
                + "]example/app:v1";

        Tools.skopeo("copy", "-q", "oci:" + layout + ":v1", destination);
        ImageRecord image = store.importImage(ImageReference.parse("oci:" + layout + ":v1"), AMD64,
                ImageSpec.unnamed().withName("example/app:v1"), n -> { }).image();

        JsonNode layers = JSON.readTree(vfs.resolve("root/vfs-layers/layers.json").toFile());
        List<String> skopeoIds = new ArrayList<>();
        Map<String, String> parents = new java.util.HashMap<>();
        for (JsonNode l : layers) {
            skopeoIds.add(l.get("id").asText());
            parents.put(l.get("id").asText(), l.path("parent").asText(""));
        }
        List<String> cairnIds = image.layers().stream().map(LayerId::hex).toList();
        assertThat(skopeoIds).as("containers/storage's layer ids").containsExactlyInAnyOrderElementsOf(cairnIds);
        for (int i = 1; i < cairnIds.size(); i++) {
            assertThat(parents.get(cairnIds.get(i))).as("parent of layer %d", i).isEqualTo(cairnIds.get(i - 1));
        }
        JsonNode images = JSON.readTree(vfs.resolve("root/vfs-images/images.json").toFile());
        assertThat(images).hasSize(1);
        assertThat(images.get(0).get("id").asText()).as("image id").isEqualTo(image.id().hex());
        assertThat(images.get(0).get("layer").asText()).as("top layer").isEqualTo(image.topLayer().get().hex());
        assertThat(images.get(0).get("digest").asText()).as("manifest digest")
                .isEqualTo(image.manifestDigest().toString());
    }

    @Test
    void anOciExportIsReadBySkopeoWithTheManifestAndBlobDigestsOfTheImport() throws Exception {
        Tools.require("skopeo");
        Path layout = umociImage();
        ImageRecord image = store.importImage(ImageReference.parse("oci:" + layout + ":v1"), AMD64,
                ImageSpec.unnamed(), n -> { }).image();
        Path exported = temp.resolve("exported");

        store.exportImage(image.id().hex(), ImageReference.parse("oci:" + exported + ":v1"), n -> { });

        byte[] raw = Tools.skopeo("inspect", "--raw", "oci:" + exported + ":v1").getBytes(StandardCharsets.UTF_8);
        assertThat(Digest.sha256(raw)).as("skopeo reads the manifest as imported").isEqualTo(image.manifestDigest());
        assertThat(raw).isEqualTo(Files.readAllBytes(layout.resolve("blobs/sha256/" + image.manifestDigest().hex())));
        Path copy = temp.resolve("copy");
        Tools.skopeo("copy", "-q", "--preserve-digests", "oci:" + exported + ":v1", "oci:" + copy + ":v1");
        assertThat(blobs(copy)).as("skopeo copies every blob with its digest").isEqualTo(blobs(layout, image));
        for (String blob : blobs(copy)) {
            assertThat(Digest.sha256(Files.readAllBytes(copy.resolve("blobs/sha256/" + blob))).hex()).isEqualTo(blob);
        }
    }

    @Test
    void aDockerArchiveExportIsReadBySkopeoWithTheConfigAndDiffIdsOfTheImport() throws Exception {
        Tools.require("skopeo");
        Path layout = umociImage();
        Path archive = temp.resolve("from-skopeo.tar");
        Tools.skopeo("copy", "-q", "oci:" + layout + ":v1", "docker-archive:" + archive + ":example/app:v1");
        String skopeoManifest = Tools.skopeo("inspect", "--raw", "docker-archive:" + archive);
        ImageRecord image = store.importImage(ImageReference.parse("docker-archive:" + archive), AMD64,
                ImageSpec.unnamed(), n -> { }).image();
        assertThat(image.manifestDigest()).as("the manifest skopeo derives for the archive")
                .isEqualTo(Digest.sha256(skopeoManifest.getBytes(StandardCharsets.UTF_8)));
        Path exported = temp.resolve("exported.tar");

        store.exportImage(image.id().hex(), ImageReference.parse("docker-archive:" + exported + ":example/app:v1"),
                n -> { });

        String raw = Tools.skopeo("inspect", "--raw", "docker-archive:" + exported);
        assertThat(Digest.sha256(raw.getBytes(StandardCharsets.UTF_8))).as("the same derived manifest, so digest")
                .isEqualTo(image.manifestDigest());
        JsonNode config = JSON.readTree(Tools.skopeo("inspect", "--config", "--raw", "docker-archive:" + exported));
        List<String> diffIds = new ArrayList<>();
        config.get("rootfs").get("diff_ids").forEach(d -> diffIds.add(d.asText()));
        List<String> expected = new ArrayList<>();
        for (LayerId l : image.layers()) {
            expected.add(store.layer(l.hex()).diffDigest().toString());
        }
        assertThat(diffIds).isEqualTo(expected);
        Path oci = temp.resolve("oci-from-export");
        Tools.skopeo("copy", "-q", "docker-archive:" + exported, "oci:" + oci + ":v1");
        assertThat(store.importImage(ImageReference.parse("oci:" + oci + ":v1"), AMD64, ImageSpec.unnamed(),
                n -> { }).image().layers()).as("the same layers, found again by their ids").isEqualTo(image.layers());
    }

    @Test
    void theCheckoutOfTheTopLayerEqualsUmociUnpack() throws Exception {
        Path layout = umociImage();
        boolean root = Posix.isRoot();
        Path unpacked = temp.resolve("unpacked");
        List<String> unpack = new ArrayList<>(List.of("umoci", "unpack"));
        if (!root) {
            unpack.add("--rootless");
        }
        unpack.addAll(List.of("--image", layout + ":v1", unpacked.toString()));
        Tools.run(unpack);
        ImageRecord image = store.importImage(ImageReference.parse("oci:" + layout + ":v1"), AMD64,
                ImageSpec.unnamed(), n -> { }).image();
        Path checkout = temp.resolve("checkout");

        store.checkout(image.topLayer().get().hex(), checkout);

        Map<String, String> expected = LayerStoreCheckoutTest.describe(unpacked.resolve("rootfs"), root);
        Map<String, String> actual = LayerStoreCheckoutTest.describe(checkout, root);
        List<String> differences = new ArrayList<>();
        TreeSet<String> paths = new TreeSet<>(expected.keySet());
        paths.addAll(actual.keySet());
        for (String p : paths) {
            if (!Objects.equals(expected.get(p), actual.get(p))) {
                differences.add(p + ": umoci " + expected.get(p) + ", cairn " + actual.get(p));
            }
        }
        assertThat(differences).as("paths where the checkout differs from umoci unpack").isEmpty();
        assertThat(expected).containsKeys("usr/bin/tool", "srv/data.bin", "link").doesNotContainKey("etc/motd");
    }

    /** The blobs of a layout, by hex. */
    private static TreeSet<String> blobs(Path layout) throws IOException {
        return new TreeSet<>(StoreInvariants.list(layout.resolve("blobs/sha256")));
    }

    /** The blobs of one image of a layout: its manifest, config and layers. */
    private static TreeSet<String> blobs(Path layout, ImageRecord image) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        JsonNode m = JSON.readTree(layout.resolve("blobs/sha256/" + image.manifestDigest().hex()).toFile());
        out.add(image.manifestDigest().hex());
        out.add(m.get("config").get("digest").asText().substring(7));
        m.get("layers").forEach(l -> out.add(l.get("digest").asText().substring(7)));
        return out;
    }
}
