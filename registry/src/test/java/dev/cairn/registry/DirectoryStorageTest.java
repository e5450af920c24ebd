package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.oci.OciDigest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The storage contract on the interim directory backend, and what is particular to its layout. */
class DirectoryStorageTest extends RegistryStorageContract {

    @Override
    RegistryStorage open(Path dir) throws IOException {
        return DirectoryStorage.open(dir);
    }

    @Test
    void aBlobInTwoRepositoriesIsKeptOnce() throws Exception {
        byte[] blob = "shared".getBytes(StandardCharsets.UTF_8);
        try (RegistryStorage s = open(dir)) {
            for (String repo : List.of("a", "b/c")) {
                UploadId id = s.startUpload(new RepositoryName(repo), OciDigest.SHA256, AUDIT).id();
                s.appendUpload(new RepositoryName(repo), id, 0, bytes(blob), blob.length, AUDIT);
                s.completeUpload(new RepositoryName(repo), id, sha256(blob), AUDIT);
            }
            assertThat(s.mountBlob(new RepositoryName("d"), Optional.of(new RepositoryName("a")), sha256(blob), AUDIT))
                    .isPresent();
        }
        try (Stream<Path> files = Files.walk(dir.resolve("blobs"))) {
            assertThat(files.filter(Files::isRegularFile)).hasSize(1);
        }
    }

    @Test
    void everyChangeIsAnAuditLineWithItsContext() throws Exception {
        try (RegistryStorage s = open(dir)) {
            UploadId id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            s.cancelUpload(REPO, id, new AuditContext("bob", "10.0.0.9", "req-2"));
            s.recordRead(REPO, "tag:v1", AUDIT);
        }
        List<String> lines = Files.readAllLines(dir.resolve("audit.log"));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).contains("\"action\":\"upload-cancelled\"", "\"principal\":\"bob\"",
                "\"client\":\"10.0.0.9\"", "\"requestId\":\"req-2\"", "\"repository\":\"test/app\"");
        assertThat(lines.get(2)).contains("\"action\":\"pulled\"", "tag:v1");
    }

    @Test
    void anUploadFolderWithoutItsDataCountsAsUnknownAndIsReclaimed() throws Exception {
        try (RegistryStorage s = open(dir)) {
            UploadId id = s.startUpload(REPO, OciDigest.SHA256, AUDIT).id();
            // What a crash between moving the data into blobs/ and removing the folder leaves.
            Files.delete(dir.resolve("uploads").resolve(id.value()).resolve("data"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.uploadStatus(REPO, id))
                    .isInstanceOf(UploadUnknownException.class);
            assertThat(s.reclaimUploads(java.time.Instant.now().plusSeconds(1), AUDIT)).containsExactly(id);
            assertThat(s.openUploads()).isZero();
        }
    }
}
