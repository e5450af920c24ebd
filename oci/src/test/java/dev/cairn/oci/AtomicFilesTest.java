package dev.cairn.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path temp;

    @Test
    void replacesAFileWholeAndLeavesItAsItWasOnFailure() throws Exception {
        Path target = temp.resolve("index.json");
        AtomicFiles.write(target, "old".getBytes());
        assertThatThrownBy(() -> AtomicFiles.write(target, temp, out -> {
            out.write("half".getBytes());
            throw new IOException("disk gone");
        })).hasMessage("disk gone");
        assertThat(Files.readString(target)).isEqualTo("old");
        try (Stream<Path> files = Files.list(temp)) {
            assertThat(files).containsExactly(target);
        }
        AtomicFiles.write(target, "new".getBytes());
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(Files.getPosixFilePermissions(target)).hasSize(4);
    }

    @Test
    void makesMissingDirectoriesReadableByAll() throws Exception {
        Path dir = temp.resolve("a/b/c");
        AtomicFiles.mkdirs(dir);
        AtomicFiles.mkdirs(dir);
        assertThat(dir).isDirectory();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwxr-xr-x");
        Files.writeString(temp.resolve("f"), "");
        assertThatThrownBy(() -> AtomicFiles.mkdirs(temp.resolve("f"))).isInstanceOf(IOException.class);
    }
}
