package dev.cairn.cli;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher's training workload: every command it runs succeeds, and it reads as a real layer. */
class ClassDataTrainingTest {

    @TempDir
    Path dir;

    @Test
    void everyCommandOfTheWorkloadSucceeds() throws IOException {
        List<String> failures = ClassDataTraining.run(dir.resolve("scratch"));

        assertThat(failures).isEmpty();
    }

    @Test
    void theSampleTarIsAValidTarOfAFolderTwoFilesASymlinkAndAHardlink() throws IOException {
        List<String> seen = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new ByteArrayInputStream(ClassDataTraining.sampleTar()))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                seen.add((e.isDirectory() ? "d " : e.isSymbolicLink() ? "l " : e.isLink() ? "h " : "f ")
                        + e.getName() + (e.isDirectory() || e.isSymbolicLink() || e.isLink() ? "" : " " + e.getSize()));
            }
        }

        assertThat(seen).containsExactly("d etc/", "f etc/hostname 6", "f etc/motd 45", "l etc/issue",
                "h etc/motd.link");
    }

    @Test
    void theScratchFolderIsGoneAfterwards() throws IOException {
        Path scratch = dir.resolve("scratch");
        ClassDataTraining.main(new String[] {scratch.toString()});

        assertThat(Files.exists(scratch)).isFalse();
    }

    @Test
    void theHandMadeZstdFrameDecodesToItsContent() throws IOException {
        byte[] content = ClassDataTraining.sampleTar();

        byte[] decoded = new com.github.luben.zstd.ZstdInputStream(
                new ByteArrayInputStream(ClassDataTraining.zstdFrame(content))).readAllBytes();

        assertThat(decoded).isEqualTo(content);
    }
}
