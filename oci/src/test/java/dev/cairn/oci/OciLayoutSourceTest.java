package dev.cairn.oci;

import static dev.cairn.oci.TestImages.descriptor;
import static dev.cairn.oci.TestImages.gzip;
import static dev.cairn.oci.TestImages.tar;
import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.AmbiguousImageException;
import dev.cairn.model.BlobNotFoundException;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.InvalidImageException;
import dev.cairn.model.PlatformNotFoundException;
import dev.cairn.model.SizeMismatchException;
import dev.cairn.model.UnsupportedImageException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageSource} over OCI image layouts (the class under test is {@link OciLayoutSource}). */
class OciLayoutSourceTest {

    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final List<byte[]> TARS = List.of(tar("etc/hello", "hello"), tar("usr/bin/tool", "#!/bin/sh"));

    @TempDir
    Path temp;
    private TestImages.Layout layout;

    @BeforeEach
    void layout() throws Exception {
        layout = new TestImages.Layout(temp.resolve("img"));
    }

    private ImageSource open(String suffix) throws Exception {
        return ImageSource.open(ImageReference.parse("oci:" + layout.dir + suffix), AMD64);
    }

    @Test
    void readsATaggedImageWithItsDocumentsAsStoredAndVerifiedLayers() throws Exception {
        byte[] manifest = layout.image("linux", "amd64", TARS);
        layout.tagged(manifest, "v1");
        try (ImageSource src = open(":v1")) {
            Image image = src.image();
            assertThat(image.manifest().bytes()).isEqualTo(manifest);
            assertThat(image.names()).containsExactly("v1");
            assertThat(image.indexes()).isEmpty();
            assertThat(image.config().platform()).isEqualTo(AMD64);
            assertThat(image.layers()).extracting(ImageLayer::diffId)
                    .containsExactly(OciDigest.sha256(TARS.get(0)), OciDigest.sha256(TARS.get(1)));
            assertThat(image.layers()).extracting(ImageLayer::mediaType).containsOnly(LayerMediaType.OCI_TAR_GZIP);
            assertThat(image.id()).isEqualTo(image.config().digest());
            for (ImageLayer l : image.layers()) {
                try (VerifiedBlobStream in = src.openLayer(l.index())) {
                    assertThat(new GZIPInputStream(in).readAllBytes()).isEqualTo(TARS.get(l.index()));
                    in.verifyToEnd();
                    assertThat(in.verified()).isTrue();
                }
            }
        }
    }

    @Test
    void layersCanBeReadInParallel() throws Exception {
        List<byte[]> tars = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            tars.add(tar("f" + i, "x".repeat(100_000 + i)));
        }
        layout.tagged(layout.image("linux", "amd64", tars), "big");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (ImageSource src = open(":big")) {
            List<Future<byte[]>> reads = new ArrayList<>();
            for (ImageLayer l : src.image().layers()) {
                reads.add(pool.submit(() -> {
                    try (InputStream in = new GZIPInputStream(src.openLayer(l.index()))) {
                        return in.readAllBytes();
                    }
                }));
            }
            for (int i = 0; i < tars.size(); i++) {
                assertThat(reads.get(i).get()).isEqualTo(tars.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withoutATagTheOnlyImageIsTakenAndSeveralAreAmbiguous() throws Exception {
        byte[] a = layout.image("linux", "amd64", TARS.subList(0, 1));
        layout.entry(MediaTypes.OCI_MANIFEST, a, "");
        try (ImageSource src = open("")) {
            assertThat(src.image().manifest().bytes()).isEqualTo(a);
            assertThat(src.image().names()).isEmpty();
        }
        layout.tagged(layout.image("linux", "amd64", TARS), "v2");
        assertThatThrownBy(() -> open("")).isInstanceOf(AmbiguousImageException.class)
                .satisfies(e -> assertThat(((AmbiguousImageException) e).candidates())
                        .containsExactly(OciDigest.sha256(a).toString(), "v2"));
        try (ImageSource src = open(":@1")) {
            assertThat(src.image().names()).containsExactly("v2");
        }
        assertThatThrownBy(() -> open(":@2")).isInstanceOf(ImageNotFoundException.class);
        assertThatThrownBy(() -> open(":v3")).isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("v3").hasMessageContaining("[v2]");
    }

    @Test
    void anIndexIsResolvedToTheManifestForThePlatformThroughNestedIndexes() throws Exception {
        byte[] amd = layout.image("linux", "amd64", TARS.subList(0, 1));
        byte[] arm = layout.image("linux", "arm64", TARS.subList(1, 2));
        byte[] inner = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + descriptor(MediaTypes.OCI_MANIFEST, arm).replace("}", ",\"platform\":{\"os\":\"linux\","
                + "\"architecture\":\"arm64\",\"variant\":\"v8\"}}") + "]}");
        byte[] outer = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + descriptor(MediaTypes.OCI_MANIFEST, amd).replace("}", ",\"platform\":{\"os\":\"linux\","
                + "\"architecture\":\"amd64\"}}") + "," + descriptor(MediaTypes.OCI_INDEX, inner) + "]}");
        layout.blob(inner);
        layout.blob(outer);
        layout.entry(MediaTypes.OCI_INDEX, outer, "\"annotations\":{\"org.opencontainers.image.ref.name\":\"multi\"}");
        try (ImageSource src = open(":multi")) {
            assertThat(src.image().manifest().bytes()).isEqualTo(amd);
            assertThat(src.image().indexes()).extracting(ImageIndex::digest).containsExactly(OciDigest.sha256(outer));
        }
        try (ImageSource src = ImageSource.open(ImageReference.parse("oci:" + layout.dir + ":multi"),
                Platform.parse("linux/arm64"))) {
            assertThat(src.image().manifest().bytes()).isEqualTo(arm);
            assertThat(src.image().indexes()).extracting(ImageIndex::digest)
                    .containsExactly(OciDigest.sha256(outer), OciDigest.sha256(inner));
        }
        assertThatThrownBy(() -> ImageSource.open(ImageReference.parse("oci:" + layout.dir + ":multi"),
                Platform.parse("linux/s390x"))).isInstanceOf(PlatformNotFoundException.class)
                .hasMessageContaining("linux/s390x").hasMessageContaining("linux/arm64/v8");
    }

    @Test
    void aManifestThatDoesNotHashToItsDigestIsRefusedNamingIt() throws Exception {
        byte[] manifest = layout.image("linux", "amd64", TARS);
        layout.tagged(manifest, "v1");
        Path blob = layout.dir.resolve("blobs/sha256").resolve(OciDigest.sha256(manifest).encoded());
        byte[] tampered = manifest.clone();
        tampered[tampered.length - 2] = ' ';
        Files.write(blob, tampered);
        assertThatThrownBy(() -> open(":v1")).isInstanceOf(DigestMismatchException.class)
                .hasMessageContaining("manifest").hasMessageContaining(OciDigest.sha256(manifest).toString());
    }

    @Test
    void aMissingOrMissizedLayerBlobIsFoundAtOpenAndABadOneAtItsEnd() throws Exception {
        byte[] manifest = layout.image("linux", "amd64", TARS);
        layout.tagged(manifest, "v1");
        Path layer1 = layout.dir.resolve("blobs/sha256").resolve(OciDigest.sha256(gzip(TARS.get(1))).encoded());
        byte[] good = Files.readAllBytes(layer1);

        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x10;
        Files.write(layer1, flipped);
        try (ImageSource src = open(":v1"); VerifiedBlobStream in = src.openLayer(1)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(DigestMismatchException.class)
                    .hasMessageContaining("layer 1");
        }

        Files.write(layer1, java.util.Arrays.copyOf(good, good.length + 1));
        assertThatThrownBy(() -> open(":v1")).isInstanceOf(SizeMismatchException.class).hasMessageContaining("layer 1");

        Files.delete(layer1);
        assertThatThrownBy(() -> open(":v1")).isInstanceOf(BlobNotFoundException.class)
                .hasMessageContaining(OciDigest.sha256(good).toString());

        Files.createSymbolicLink(layer1, Files.createFile(temp.resolve("outside")));
        assertThatThrownBy(() -> open(":v1")).isInstanceOf(BlobNotFoundException.class)
                .hasMessageContaining("not a regular file");
    }

    @Test
    void anAbsentNonDistributableLayerIsRefusedSayingCairnFetchesNothing() throws Exception {
        byte[] t = TARS.get(0);
        byte[] config = TestImages.config("windows", "amd64", List.of(t));
        layout.blob(config);
        String foreign = descriptor(LayerMediaType.OCI_NONDISTRIBUTABLE_TAR.mediaType(), t)
                .replace("}", ",\"urls\":[\"https://example.com/base\"]}");
        byte[] manifest = utf8("{\"schemaVersion\":2,\"config\":" + descriptor(MediaTypes.OCI_CONFIG, config)
                + ",\"layers\":[" + foreign + "]}");
        layout.blob(manifest);
        layout.tagged(manifest, "win");
        assertThatThrownBy(() -> open(":win")).isInstanceOf(BlobNotFoundException.class)
                .hasMessageContaining("non-distributable").hasMessageContaining("https://example.com/base");
        layout.blob(t);
        try (ImageSource src = open(":win")) {
            assertThat(src.image().layers().get(0).mediaType().distributable()).isFalse();
            assertThat(src.image().layers().get(0).blob().urls()).containsExactly("https://example.com/base");
            assertThat(src.image().layers().get(0).uncompressed()).isTrue();
            assertThat(src.openLayer(0).readAllBytes()).isEqualTo(t);
        }
    }

    @Test
    void imagesLayersCannotBeAppliedForAreRefusedBeforeAnyLayerIsRead() throws Exception {
        byte[] t = TARS.get(0);
        byte[] config = TestImages.config("linux", "amd64", List.of(t));
        layout.blob(config);
        layout.blob(t);
        String cfg = descriptor(MediaTypes.OCI_CONFIG, config);
        String[][] cases = {
            {"artifact", "{\"schemaVersion\":2,\"artifactType\":\"application/x.sbom\",\"config\":"
                    + descriptor("application/vnd.oci.empty.v1+json", Descriptor.EMPTY_JSON) + ",\"layers\":[]}"},
            {"docker layer type", "{\"schemaVersion\":2,\"config\":" + cfg + ",\"layers\":["
                    + descriptor(LayerMediaType.DOCKER_TAR.mediaType(), t) + "]}"},
            {"encrypted", "{\"schemaVersion\":2,\"config\":" + cfg + ",\"layers\":["
                    + descriptor("application/vnd.oci.image.layer.v1.tar+gzip+encrypted", t) + "]}"},
        };
        for (String[] c : cases) {
            byte[] m = utf8(c[1]);
            layout.blob(m);
            layout.tagged(m, c[0].replace(' ', '-'));
            assertThatThrownBy(() -> open(":" + c[0].replace(' ', '-'))).as(c[0])
                    .isInstanceOf(UnsupportedImageException.class);
        }
        byte[] extra = utf8("{\"schemaVersion\":2,\"config\":" + cfg + ",\"layers\":["
                + descriptor(LayerMediaType.OCI_TAR.mediaType(), t) + "," + descriptor(LayerMediaType.OCI_TAR.mediaType(), t)
                + "]}");
        layout.blob(extra);
        layout.tagged(extra, "two");
        assertThatThrownBy(() -> open(":two")).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("2 layers").hasMessageContaining("1 rootfs.diff_ids");
        byte[] schema1 = utf8("{\"schemaVersion\":1}");
        layout.blob(schema1);
        layout.entry(MediaTypes.DOCKER_SCHEMA1_SIGNED, schema1, "\"annotations\":{\"org.opencontainers.image.ref.name\":\"old\"}");
        assertThatThrownBy(() -> open(":old")).isInstanceOf(UnsupportedImageException.class)
                .hasMessageContaining("schema 1");
        layout.entry("application/xml", utf8("<not-stored/>"),
                "\"annotations\":{\"org.opencontainers.image.ref.name\":\"xml\"}");
        assertThatThrownBy(() -> open(":xml")).isInstanceOf(UnsupportedImageException.class)
                .hasMessageContaining("application/xml is no image manifest or index");
    }

    @Test
    void aLayoutFileOfANewerVersionOrAMissingOneIsSaidSo() throws Exception {
        Files.writeString(layout.dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"2.0.0\"}");
        assertThatThrownBy(() -> open("")).isInstanceOf(UnsupportedImageException.class).hasMessageContaining("2.0.0");
        Files.delete(layout.dir.resolve("oci-layout"));
        assertThatThrownBy(() -> open("")).isInstanceOf(InvalidImageException.class).hasMessageContaining("oci-layout");
        assertThatThrownBy(() -> ImageSource.open(ImageReference.parse("oci:" + temp.resolve("none")), AMD64))
                .isInstanceOf(ImageNotFoundException.class).hasMessageContaining("no such directory");
        Files.writeString(layout.dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":{}}");
        assertThatThrownBy(() -> open("")).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("index.json").hasMessageContaining("manifests: want an array");
    }

    @Test
    void readsWhatUmociBuilds() throws Exception {
        Tools.require("umoci");
        Path img = temp.resolve("umoci-img");
        Tools.umoci("init", "--layout", img.toString());
        Tools.umoci("new", "--image", img + ":base");
        Path root = Files.createDirectories(temp.resolve("tree/etc"));
        Files.writeString(root.resolve("motd"), "built by umoci\n");
        Tools.umoci("insert", "--image", img + ":base", root.toString(), "/etc");
        Files.writeString(root.resolve("motd"), "again\n");
        Tools.umoci("insert", "--image", img + ":base", "--tag", "two", root.toString(), "/etc");
        try (ImageSource src = ImageSource.open(ImageReference.parse("oci:" + img + ":two"), AMD64)) {
            Image image = src.image();
            assertThat(image.layers()).hasSize(2);
            for (ImageLayer l : image.layers()) {
                try (InputStream in = new GZIPInputStream(src.openLayer(l.index()))) {
                    assertThat(OciDigest.sha256(in.readAllBytes())).isEqualTo(l.diffId());
                }
            }
        }
    }

    @Test
    void aLayerNamedBySha512IsReadFromBlobsSha512AndVerified() throws Exception {
        byte[] t = TARS.get(0);
        OciDigest sha512 = OciDigest.parse("sha512:" + "0".repeat(128));
        sha512 = sha512.withHash(sha512.newHasher("x").digest(t));
        Files.createDirectories(layout.dir.resolve("blobs/sha512"));
        Files.write(layout.dir.resolve("blobs/sha512").resolve(sha512.encoded()), t);
        byte[] config = TestImages.config("linux", "amd64", List.of(t));
        layout.blob(config);
        byte[] manifest = utf8("{\"schemaVersion\":2,\"config\":" + descriptor(MediaTypes.OCI_CONFIG, config)
                + ",\"layers\":[{\"mediaType\":\"" + LayerMediaType.OCI_TAR.mediaType() + "\",\"digest\":\""
                + sha512 + "\",\"size\":" + t.length + "}]}");
        layout.blob(manifest);
        layout.tagged(manifest, "sha512");
        try (ImageSource src = open(":sha512"); VerifiedBlobStream in = src.openLayer(0)) {
            assertThat(in.readAllBytes()).isEqualTo(t);
            assertThat(in.verified()).isTrue();
            assertThat(src.image().layers().get(0).diffId()).isEqualTo(OciDigest.sha256(t));
        }
        Files.write(layout.dir.resolve("blobs/sha512").resolve(sha512.encoded()), tar("etc/hello", "HELLO"));
        try (ImageSource src = open(":sha512"); VerifiedBlobStream in = src.openLayer(0)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(DigestMismatchException.class)
                    .hasMessageContaining("sha512:");
        }
    }

    @Test
    void readsAnImageUmociRepackedFromAnUnpackedBundle() throws Exception {
        Tools.require("umoci");
        Path img = temp.resolve("umoci-img");
        Tools.umoci("init", "--layout", img.toString());
        Tools.umoci("new", "--image", img + ":base");
        Path bundle = temp.resolve("bundle");
        Tools.umoci("unpack", "--rootless", "--image", img + ":base", bundle.toString());
        Files.writeString(Files.createDirectories(bundle.resolve("rootfs/etc")).resolve("os-release"), "ID=test\n");
        Tools.umoci("repack", "--image", img + ":repacked", bundle.toString());
        try (ImageSource src = ImageSource.open(ImageReference.parse("oci:" + img + ":repacked"), AMD64)) {
            assertThat(src.image().names()).containsExactly("repacked");
            ImageLayer top = src.image().layers().get(src.image().layers().size() - 1);
            try (InputStream in = new GZIPInputStream(src.openLayer(top.index()))) {
                byte[] layerTar = in.readAllBytes();
                assertThat(OciDigest.sha256(layerTar)).isEqualTo(top.diffId());
                assertThat(new String(layerTar, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("ID=test");
            }
        }
    }
}
