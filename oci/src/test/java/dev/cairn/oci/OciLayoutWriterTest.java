package dev.cairn.oci;

import static dev.cairn.oci.TestImages.gzip;
import static dev.cairn.oci.TestImages.tar;
import static dev.cairn.oci.TestImages.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.BlobNotFoundException;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.InvalidImageException;
import dev.cairn.model.SizeMismatchException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutWriterTest {

    private static final Platform AMD64 = Platform.parse("linux/amd64");
    private static final List<byte[]> TARS = List.of(tar("etc/a", "a"), tar("etc/b", "b"));

    @TempDir
    Path temp;

    /** Writes one image (gzip layers) through the writer and returns its manifest descriptor. */
    private static Descriptor writeImage(OciLayoutWriter w, List<byte[]> tars, String arch) throws Exception {
        List<String> layers = new ArrayList<>();
        for (byte[] t : tars) {
            byte[] gz = gzip(t);
            Descriptor d = Descriptor.of(LayerMediaType.OCI_TAR_GZIP.mediaType(), gz);
            assertThat(w.putBlob(d, new ByteArrayInputStream(gz))).isEqualTo(d);
            layers.add(TestImages.descriptor(d.mediaType(), gz));
        }
        Descriptor config = w.putBlob(MediaTypes.OCI_CONFIG, TestImages.config("linux", arch, tars));
        byte[] manifest = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + new String(Json.write(config.toJson()), java.nio.charset.StandardCharsets.UTF_8) + ",\"layers\":["
                + String.join(",", layers) + "]}");
        return w.putManifest(ImageManifest.parse(manifest, MediaTypes.OCI_MANIFEST));
    }

    @Test
    void aNewLayoutHoldsTheBlobsAndATaggedManifestAsWritten() throws Exception {
        Path dir = temp.resolve("new/layout");
        OciLayoutWriter w = OciLayoutWriter.open(dir);
        Descriptor m = writeImage(w, TARS, "amd64");
        w.tag(m, "v1");
        OciLayout layout = OciLayout.open(dir);
        assertThat(layout.tags()).containsExactly("v1");
        try (ImageSource src = ImageSource.open(ImageReference.parse("oci:" + dir + ":v1"), AMD64)) {
            assertThat(src.image().manifest().digest()).isEqualTo(m.digest());
            assertThat(src.image().layers()).extracting(ImageLayer::diffId)
                    .containsExactly(OciDigest.sha256(TARS.get(0)), OciDigest.sha256(TARS.get(1)));
        }
        assertThat(Files.readString(dir.resolve("oci-layout"))).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
        assertThat(Files.getPosixFilePermissions(layout.blobPath(m.digest())))
                .extracting(Object::toString).contains("OTHERS_READ");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("oci-layout", "index.json",
                    "blobs");
        }
    }

    @Test
    void taggingMovesATagAndReplacesAnUntaggedEntryOfTheSameManifest() throws Exception {
        OciLayoutWriter w = OciLayoutWriter.open(temp.resolve("l"));
        Descriptor a = writeImage(w, TARS.subList(0, 1), "amd64");
        Descriptor b = writeImage(w, TARS, "amd64");
        w.add(a);
        w.add(a);
        assertThat(w.layout().index().manifests()).extracting(Descriptor::digest).containsExactly(a.digest());
        w.tag(a, "v1");
        assertThat(w.layout().index().manifests()).extracting(Descriptor::refName)
                .containsExactly(java.util.Optional.of("v1"));
        w.tag(a, "latest");
        w.tag(b, "v1");
        OciLayout l = w.layout();
        assertThat(l.tags()).containsExactly("latest", "v1");
        assertThat(l.find(new ImageReference.Oci(l.dir(), java.util.Optional.of("v1"),
                java.util.OptionalInt.empty())).digest()).isEqualTo(b.digest());
    }

    @Test
    void aBlobThatIsNotItsDescriptorIsRefusedAndLeavesNothing() throws Exception {
        Path dir = temp.resolve("l");
        OciLayoutWriter w = OciLayoutWriter.open(dir);
        byte[] content = utf8("content");
        Descriptor d = Descriptor.of("application/octet-stream", content);
        assertThatThrownBy(() -> w.putBlob(d, new ByteArrayInputStream(utf8("contenT"))))
                .isInstanceOf(DigestMismatchException.class);
        assertThatThrownBy(() -> w.putBlob(d, new ByteArrayInputStream(utf8("content and more"))))
                .isInstanceOf(SizeMismatchException.class);
        assertThat(w.layout().hasBlob(d.digest())).isFalse();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        Files.write(w.layout().blobPath(d.digest()), utf8("damaged"));
        w.putBlob(d, new ByteArrayInputStream(content));
        assertThat(Files.readAllBytes(w.layout().blobPath(d.digest()))).isEqualTo(content);
    }

    @Test
    void aTagCanOnlyNameAManifestThatIsInTheLayout() throws Exception {
        OciLayoutWriter w = OciLayoutWriter.open(temp.resolve("l"));
        Descriptor ghost = Descriptor.of(MediaTypes.OCI_MANIFEST, utf8("{}"));
        assertThatThrownBy(() -> w.tag(ghost, "v1")).isInstanceOf(BlobNotFoundException.class);
        assertThatThrownBy(() -> w.tag(ghost, "not a tag")).isInstanceOf(IllegalArgumentException.class);
        assertThat(w.layout().index().manifests()).isEmpty();
    }

    @Test
    void refusesToWriteIntoADirectoryThatIsNotALayout() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("home"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> OciLayoutWriter.open(dir)).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("not empty");
        assertThat(dir.resolve("oci-layout")).doesNotExist();
    }

    @Test
    void tagsWrittenAtOnceFromManyThreadsAllLand() throws Exception {
        OciLayoutWriter w = OciLayoutWriter.open(temp.resolve("l"));
        Descriptor m = writeImage(w, TARS, "amd64");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String tag = "t" + i;
                OciLayoutWriter own = OciLayoutWriter.open(temp.resolve("l"));
                done.add(pool.submit(() -> {
                    own.tag(m, tag);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(w.layout().tags()).hasSize(16);
    }

    @Test
    void skopeoAndUmociReadWhatItWritesWithTheSameDigests() throws Exception {
        Tools.require("skopeo");
        Tools.require("umoci");
        Path dir = temp.resolve("ours");
        OciLayoutWriter w = OciLayoutWriter.open(dir);
        Descriptor m = writeImage(w, TARS, "amd64");
        w.tag(m, "v1");
        byte[] raw = Tools.skopeo("inspect", "--raw", "oci:" + dir + ":v1").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(OciDigest.sha256(raw)).isEqualTo(m.digest());
        assertThat(Tools.umoci("ls", "--layout", dir.toString()).trim()).isEqualTo("v1");
        Path bundle = temp.resolve("bundle");
        Tools.umoci("unpack", "--rootless", "--image", dir + ":v1", bundle.toString());
        assertThat(Files.readString(bundle.resolve("rootfs/etc/b"))).isEqualTo("b");
        Path copy = temp.resolve("copy");
        Tools.skopeo("copy", "--preserve-digests", "oci:" + dir + ":v1", "oci:" + copy + ":v1");
        try (ImageSource src = ImageSource.open(ImageReference.parse("oci:" + copy + ":v1"), AMD64)) {
            assertThat(src.image().manifest().digest()).isEqualTo(m.digest());
        }
    }

    @Test
    void addsATagToALayoutSkopeoWroteAndKeepsItsEntries() throws Exception {
        Tools.require("skopeo");
        Path ours = temp.resolve("ours");
        OciLayoutWriter w = OciLayoutWriter.open(ours);
        Descriptor m = writeImage(w, TARS, "amd64");
        w.tag(m, "v1");
        Path theirs = temp.resolve("theirs");
        Tools.skopeo("copy", "--preserve-digests", "oci:" + ours + ":v1", "oci:" + theirs + ":from-skopeo");
        OciLayoutWriter again = OciLayoutWriter.open(theirs);
        again.tag(m, "added");
        assertThat(again.layout().tags()).containsExactly("from-skopeo", "added");
        byte[] raw = Tools.skopeo("inspect", "--raw", "oci:" + theirs + ":added")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(OciDigest.sha256(raw)).isEqualTo(m.digest());
    }

    @Test
    void entriesAndFieldsItDoesNotKnowSurviveATag() throws Exception {
        TestImages.Layout hand = new TestImages.Layout(temp.resolve("hand"));
        byte[] manifest = hand.image("linux", "amd64", TARS);
        hand.entry("application/vnd.example.thing", utf8("x"), "\"x-future\":{\"keep\":true}");
        Path index = hand.dir.resolve("index.json");
        Files.writeString(index, Files.readString(index).replaceFirst("\\{", "{\"annotations\":{\"k\":\"v\"},"));
        OciLayoutWriter w = OciLayoutWriter.open(hand.dir);
        w.tag(Descriptor.of(MediaTypes.OCI_MANIFEST, manifest), "v1");
        String after = Files.readString(index);
        assertThat(after).contains("\"annotations\":{\"k\":\"v\"}", "\"x-future\":{\"keep\":true}",
                "application/vnd.example.thing", "\"org.opencontainers.image.ref.name\":\"v1\"");
    }
}
