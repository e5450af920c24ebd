package dev.cairn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The durable file steps: whole-file writes, their modes, and what they leave behind. */
class DurableFilesTest {

    @TempDir
    Path dir;

    @Test
    void writeFileGivesTheFileItsContentAndModeAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("secret");
        DurableFiles.writeFile(file, "one".getBytes(StandardCharsets.UTF_8), "rw-------", false);
        assertThat(Files.readString(file)).isEqualTo("one");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(DurableFiles.list(dir)).containsExactly("secret");
    }

    @Test
    void writeFileReplacesOnlyWhenAsked() throws IOException {
        Path file = dir.resolve("f");
        DurableFiles.writeFile(file, new byte[] {1}, "rw-r--r--", false);
        assertThatThrownBy(() -> DurableFiles.writeFile(file, new byte[] {2}, "rw-r--r--", false))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readAllBytes(file)).containsExactly(1);
        DurableFiles.writeFile(file, new byte[] {3}, "rw-r--r--", true);
        assertThat(Files.readAllBytes(file)).containsExactly(3);
        assertThat(DurableFiles.list(dir)).containsExactly("f");
    }
}
