package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.model.JournalRecord;
import dev.cairn.oci.ManifestDocument;
import dev.cairn.oci.OciDigest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several processes on one store at once, as two {@code cairn serve} on one root would be: each pushes blobs (some the
 * same), manifests and tags, and moves one shared tag; afterwards every tag points at a manifest that is there, every
 * manifest's blobs are there, and the journal holds every change with the pusher as its actor.
 */
class ConcurrentProcessesTest {

    static final int PUSHES = 15;
    static final RepositoryName REPO = new RepositoryName("shared/app");

    @TempDir
    Path dir;

    /** One writer: {@code <dir> <name>}. */
    public static void main(String[] args) throws Exception {
        try (LayerStoreStorage s = LayerStoreStorage.open(Path.of(args[0]))) {
            push(s, args[1]);
        }
    }

    static void push(RegistryStorage s, String name) throws IOException {
        AuditContext audit = new AuditContext(name, "127.0.0.1", name);
        byte[] shared = "the same base layer".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < PUSHES; i++) {
            byte[] own = (name + " layer " + i).getBytes(StandardCharsets.UTF_8);
            byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
            for (byte[] blob : List.of(shared, own, config)) {
                UploadId id = s.startUpload(REPO, OciDigest.SHA256, audit).id();
                s.appendUpload(REPO, id, 0, new ByteArrayInputStream(blob), blob.length, audit);
                s.completeUpload(REPO, id, OciDigest.sha256(blob), audit);
            }
            String json = TestRegistry.ociManifest(OciDigest.sha256(config).toString(), config.length, null,
                    OciDigest.sha256(shared), shared.length, OciDigest.sha256(own), own.length);
            ManifestDocument m = ManifestDocument.parse(json.getBytes(StandardCharsets.UTF_8),
                    "application/vnd.oci.image.manifest.v1+json");
            s.putManifest(REPO, m.digest(), m, List.of(new Tag(name + "-" + i), new Tag("latest")), audit);
        }
    }

    @Test
    void twoProcessesAndThisOnePushIntoOneStoreAtOnce() throws Exception {
        Path storage = dir.resolve("store");
        List<Process> children = new ArrayList<>();
        for (String name : List.of("one", "two")) {
            children.add(new ProcessBuilder(dev.cairn.store.ChildJvm.command(List.of(), List.of(),
                    ConcurrentProcessesTest.class, storage.toString(), name)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(name + ".log").toFile()).start());
        }
        try (LayerStoreStorage s = LayerStoreStorage.open(storage)) {
            push(s, "three");
            for (Process p : children) {
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(Files.readString(dir.resolve(children.indexOf(p) == 0 ? "one.log"
                        : "two.log"))).isZero();
            }
            List<Tag> tags = s.listTags(REPO, Optional.empty(), 1000);
            assertThat(tags).hasSize(3 * PUSHES + 1);
            for (Tag t : tags) {
                OciDigest d = s.resolveTag(REPO, t).orElseThrow();
                StoredManifest m = s.getManifest(REPO, d).orElseThrow();
                for (var layer : ((dev.cairn.oci.ImageManifest) ManifestDocument.parse(m.bytes(), m.mediaType()))
                        .layers()) {
                    assertThat(s.statBlob(REPO, layer.digest())).as("%s names %s", t, layer.digest()).isPresent();
                }
            }
            assertThat(s.openUploads()).isZero();
            List<JournalRecord> journal;
            try (Stream<JournalRecord> h = s.store().history(1)) {
                journal = h.toList();
            }
            for (String name : List.of("one", "two", "three")) {
                // per push: three uploads started, three blobs linked, one manifest
                assertThat(journal.stream().filter(r -> name.equals(r.actor().principal())))
                        .extracting(r -> r.event().type())
                        .hasSize(PUSHES * 7)
                        .containsOnly("UploadStarted", "BlobLinked", "ManifestPut");
            }
        }
    }
}
