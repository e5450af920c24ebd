package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.SizeMismatchException;
import dev.cairn.oci.ManifestDocument;
import dev.cairn.oci.MediaTypes;
import dev.cairn.oci.OciDigest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link RegistryStorage} contract, for every implementation ({@link LayerStoreStorage}; an embedding program's
 * own storage extends it too). Each test opens the storage afresh over a folder, as a restarted server would.
 */
abstract class RegistryStorageContract {

    @TempDir
    Path dir;

    static final AuditContext AUDIT = new AuditContext("tester", "127.0.0.1", "req-1");
    static final RepositoryName REPO = new RepositoryName("test/app");

    /** Opens the storage kept in {@code dir}; opening it again must find everything durable. */
    abstract RegistryStorage open(Path dir) throws IOException;

    static InputStream bytes(byte[] b) {
        return new ByteArrayInputStream(b);
    }

    static OciDigest sha256(byte[] b) {
        return OciDigest.sha256(b);
    }

    static byte[] read(RegistryStorage s, RepositoryName repo, OciDigest d) throws IOException {
        try (SeekableByteChannel ch = s.openBlob(repo, d)) {
            ByteBuffer b = ByteBuffer.allocate((int) ch.size());
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // fill
            }
            return b.array();
        }
    }

    /** A stream that hands out {@code good} and then fails, as a connection cut in mid-chunk does. */
    static InputStream cutAfter(byte[] good) {
        return new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                if (pos == good.length) {
                    throw new IOException("connection reset");
                }
                return good[pos++] & 0xff;
            }
        };
    }

    @Test
    void anUploadSurvivesARestartAndResumesAtItsDurableOffset() throws Exception {
        byte[] blob = "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);
        UploadId id;
        try (RegistryStorage s = open(dir)) {
            id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            assertThat(s.appendUpload(REPO, id, 0, bytes(java.util.Arrays.copyOf(blob, 10)), 10, AUDIT).offset())
                    .isEqualTo(10);
        }
        try (RegistryStorage s = open(dir)) {
            assertThat(s.uploadStatus(REPO, id).offset()).isEqualTo(10);
            s.appendUpload(REPO, id, 10, bytes(java.util.Arrays.copyOfRange(blob, 10, 20)), -1, AUDIT);
            assertThat(s.completeUpload(REPO, id, sha256(blob), AUDIT)).isEqualTo(new BlobInfo(sha256(blob), 20));
            assertThat(read(s, REPO, sha256(blob))).isEqualTo(blob);
            assertThatThrownBy(() -> s.uploadStatus(REPO, id)).isInstanceOf(UploadUnknownException.class);
        }
    }

    @Test
    void aChunkCutPartWayLeavesTheOffsetItHadAndTheUploadResumable() throws Exception {
        try (RegistryStorage s = open(dir)) {
            UploadId id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            s.appendUpload(REPO, id, 0, bytes(new byte[] {1, 2, 3}), 3, AUDIT);
            assertThatThrownBy(() -> s.appendUpload(REPO, id, 3, cutAfter(new byte[] {9, 9, 9, 9}), -1, AUDIT))
                    .isInstanceOf(IOException.class).hasMessageContaining("reset");
            assertThat(s.uploadStatus(REPO, id).offset()).isEqualTo(3);
            s.appendUpload(REPO, id, 3, bytes(new byte[] {4, 5}), 2, AUDIT);
            byte[] blob = {1, 2, 3, 4, 5};
            s.completeUpload(REPO, id, sha256(blob), AUDIT);
            assertThat(read(s, REPO, sha256(blob))).isEqualTo(blob);
        }
    }

    @Test
    void aChunkShorterOrLongerThanItsLengthIsASizeMismatch() throws Exception {
        try (RegistryStorage s = open(dir)) {
            UploadId id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            assertThatThrownBy(() -> s.appendUpload(REPO, id, 0, bytes(new byte[3]), 4, AUDIT))
                    .isInstanceOf(SizeMismatchException.class);
            assertThatThrownBy(() -> s.appendUpload(REPO, id, 0, bytes(new byte[5]), 4, AUDIT))
                    .isInstanceOf(SizeMismatchException.class);
            assertThat(s.uploadStatus(REPO, id).offset()).isZero();
        }
    }

    @Test
    void aChunkAtAnotherOffsetIsRefusedWithTheOffsetToResumeAt() throws Exception {
        try (RegistryStorage s = open(dir)) {
            UploadId id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            s.appendUpload(REPO, id, 0, bytes(new byte[4]), 4, AUDIT);
            assertThatThrownBy(() -> s.appendUpload(REPO, id, 8, bytes(new byte[4]), 4, AUDIT))
                    .isInstanceOfSatisfying(UploadRangeException.class, e -> assertThat(e.offset()).isEqualTo(4));
            assertThatThrownBy(() -> s.uploadStatus(new RepositoryName("other"), id))
                    .isInstanceOf(UploadUnknownException.class);
        }
    }

    @Test
    void twoChunksAtOnceOnOneUploadOneIsRefused() throws Exception {
        try (RegistryStorage s = open(dir)) {
            UploadId id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            InputStream slow = new InputStream() {
                boolean sent;

                @Override
                public int read() throws IOException {
                    if (sent) {
                        return -1;
                    }
                    started.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    sent = true;
                    return 7;
                }
            };
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<UploadStatus> first = pool.submit(() -> s.appendUpload(REPO, id, 0, slow, -1, AUDIT));
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                assertThatThrownBy(() -> s.appendUpload(REPO, id, 0, bytes(new byte[] {8}), 1, AUDIT))
                        .isInstanceOf(UploadRangeException.class);
                assertThat(s.reclaimUploads(Instant.now().plusSeconds(3600), AUDIT)).as("being written").isEmpty();
                release.countDown();
                assertThat(first.get(10, TimeUnit.SECONDS).offset()).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void idleUploadsAreReclaimedAndFreshOnesKept() throws Exception {
        try (RegistryStorage s = open(dir)) {
            UploadId old = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            Instant cut = Instant.now().plusMillis(50);
            Thread.sleep(100);
            UploadId fresh = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            assertThat(s.openUploads()).isEqualTo(2);
            assertThat(s.reclaimUploads(cut, AUDIT)).containsExactly(old);
            assertThatThrownBy(() -> s.uploadStatus(REPO, old)).isInstanceOf(UploadUnknownException.class);
            assertThat(s.uploadStatus(REPO, fresh).offset()).isZero();
        }
    }

    @Test
    void aWrongDigestDiscardsTheUploadAndMakesNoBlob() throws Exception {
        try (RegistryStorage s = open(dir)) {
            UploadId id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            s.appendUpload(REPO, id, 0, bytes(new byte[] {1}), 1, AUDIT);
            OciDigest wrong = sha256(new byte[] {2});
            assertThatThrownBy(() -> s.completeUpload(REPO, id, wrong, AUDIT))
                    .isInstanceOf(DigestMismatchException.class);
            assertThat(s.statBlob(REPO, wrong)).isEmpty();
            assertThat(s.statBlob(REPO, sha256(new byte[] {1}))).isEmpty();
            assertThatThrownBy(() -> s.uploadStatus(REPO, id)).isInstanceOf(UploadUnknownException.class);
        }
    }

    @Test
    void aBlobIsInvisibleUntilItsUploadCompletes() throws Exception {
        try (RegistryStorage s = open(dir)) {
            byte[] blob = {5, 6, 7};
            UploadId id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            s.appendUpload(REPO, id, 0, bytes(blob), 3, AUDIT);
            assertThat(s.statBlob(REPO, sha256(blob))).isEmpty();
            assertThatThrownBy(() -> s.openBlob(REPO, sha256(blob))).isInstanceOf(BlobUnknownException.class);
            s.completeUpload(REPO, id, sha256(blob), AUDIT);
            assertThat(s.statBlob(REPO, sha256(blob))).contains(new BlobInfo(sha256(blob), 3));
            assertThat(s.statBlob(new RepositoryName("other"), sha256(blob))).as("per repository").isEmpty();
        }
    }

    @Test
    void sha512UploadsWhetherAnnouncedOrNot() throws Exception {
        byte[] blob = "sha512 content".getBytes(StandardCharsets.UTF_8);
        OciDigest d512 = new OciDigest(OciDigest.SHA512, java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-512").digest(blob)));
        try (RegistryStorage s = open(dir)) {
            for (String announced : List.of(OciDigest.SHA512, OciDigest.SHA256)) {
                UploadId id = s.startUpload(REPO, announced, AUDIT).id();
                s.appendUpload(REPO, id, 0, bytes(blob), blob.length, AUDIT);
                assertThat(s.completeUpload(REPO, id, d512, AUDIT).digest()).isEqualTo(d512);
            }
            assertThat(read(s, REPO, d512)).isEqualTo(blob);
        }
    }

    @Test
    void aReadStartedBeforeADeleteReadsTheWholeBlob() throws Exception {
        try (RegistryStorage s = open(dir)) {
            byte[] blob = new byte[100_000];
            new java.util.Random(1).nextBytes(blob);
            UploadId id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            s.appendUpload(REPO, id, 0, bytes(blob), blob.length, AUDIT);
            s.completeUpload(REPO, id, sha256(blob), AUDIT);
            try (SeekableByteChannel ch = s.openBlob(REPO, sha256(blob))) {
                s.deleteBlob(REPO, sha256(blob), AUDIT);
                ByteBuffer b = ByteBuffer.allocate(blob.length);
                while (b.hasRemaining() && ch.read(b) >= 0) {
                    // fill
                }
                assertThat(b.array()).isEqualTo(blob);
            }
            assertThat(s.statBlob(REPO, sha256(blob))).isEmpty();
        }
    }

    @Test
    void tagsMoveAndListInOrderAfterAGivenText() throws Exception {
        try (RegistryStorage s = open(dir)) {
            byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
            UploadId id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            s.appendUpload(REPO, id, 0, bytes(config), 2, AUDIT);
            s.completeUpload(REPO, id, sha256(config), AUDIT);
            ManifestDocument one = manifest(config, "one");
            ManifestDocument two = manifest(config, "two");
            s.putManifest(REPO, one.digest(), one, List.of(new Tag("latest"), new Tag("v1")), AUDIT);
            s.putManifest(REPO, two.digest(), two, List.of(new Tag("latest")), AUDIT);
            assertThat(s.resolveTag(REPO, new Tag("latest"))).contains(two.digest());
            assertThat(s.resolveTag(REPO, new Tag("v1"))).contains(one.digest());
            assertThat(s.listTags(REPO, Optional.empty(), 10)).containsExactly(new Tag("latest"), new Tag("v1"));
            assertThat(s.listTags(REPO, Optional.of("m"), 10)).containsExactly(new Tag("v1"));
            assertThat(s.listTags(REPO, Optional.empty(), 1)).containsExactly(new Tag("latest"));
            assertThat(s.getManifest(REPO, one.digest()).orElseThrow().bytes()).isEqualTo(one.bytes());
        }
        try (RegistryStorage s = open(dir)) {
            assertThat(s.resolveTag(REPO, new Tag("latest"))).as("after a restart").isPresent();
            assertThatThrownBy(() -> s.listTags(new RepositoryName("never"), Optional.empty(), 10))
                    .isInstanceOf(RepositoryUnknownException.class);
        }
    }

    static ManifestDocument manifest(byte[] config, String annotation) throws IOException {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(config) + "\",\"size\":"
                + config.length + "},\"layers\":[],\"annotations\":{\"n\":\"" + annotation + "\"}}";
        return ManifestDocument.parse(json.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_MANIFEST);
    }
}
