package dev.cairn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PosixTest {

    @TempDir
    Path dir;

    @Test
    void makedevMatchesGlibc() {
        assertThat(Posix.makedev(1, 3)).isEqualTo(0x103L);
        assertThat(Posix.makedev(8, 17)).isEqualTo(0x811L);
        assertThat(Posix.makedev(0x1234, 0x56789)).isEqualTo(0x1000_0000_0000L | 0x5670_0000L | 0x2_3400L | 0x89L);
    }

    @Test
    void userXattrsRoundTripOnFilesAndTheirAbsenceIsNull() throws IOException {
        assumeTrue(Posix.available(), "needs Linux");
        Path f = Files.writeString(dir.resolve("f"), "x");
        try {
            Posix.lsetxattr(f, "user.cairn", "v".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            assumeTrue(false, "the file system of the temp dir has no user xattrs: " + e.getMessage());
        }
        assertThat(Posix.lgetxattr(f, "user.cairn")).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
        assertThat(Posix.llistxattr(f)).contains("user.cairn");
        assertThat(Posix.lgetxattr(f, "user.none")).isNull();
    }

    @Test
    void devicesFifosAndOwnershipAsRoot() throws IOException {
        assumeTrue(Posix.isRoot(), "mknod of devices and chown need root");
        Path fifo = dir.resolve("fifo");
        Path chr = dir.resolve("null");
        Posix.mknod(fifo, Posix.S_IFIFO, 0644, 0, 0);
        Posix.mknod(chr, Posix.S_IFCHR, 0666, 1, 3);
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("nowhere"));
        Posix.lchown(link, 1234, 5678);

        assertThat((int) Files.getAttribute(fifo, "unix:mode") & 0170000).isEqualTo(Posix.S_IFIFO);
        assertThat(Files.getAttribute(chr, "unix:rdev")).isEqualTo(0x103L);
        assertThat(Files.getAttribute(link, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).isEqualTo(1234);
        assertThat(Files.getAttribute(link, "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).isEqualTo(5678);
    }

    @Test
    void syncfsWorksAndErrorsNameThePath() throws IOException {
        assumeTrue(Posix.available(), "needs Linux");
        Posix.syncfs(dir);
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> Posix.lchown(missing, 0, 0)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void lutimesSetsASymlinksOwnTimesNotItsTargetsAndNamesAMissingPath() throws IOException {
        assumeTrue(Posix.available(), "needs Linux");
        Path target = Files.writeString(dir.resolve("target"), "x");
        java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(target);
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        java.nio.file.attribute.FileTime t = java.nio.file.attribute.FileTime.from(
                java.time.Instant.parse("2001-02-03T04:05:06.789Z"));

        Posix.lutimes(link, t, t);

        assertThat(Files.getLastModifiedTime(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isEqualTo(t);
        assertThat(Files.getLastModifiedTime(target)).isEqualTo(before);
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> Posix.lutimes(missing, t, t)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("utimensat");
    }

    @Test
    void syncfs_counts_only_from_linux_5_8() {
        assertThat(Posix.kernelAtLeast("5.8.0", 5, 8)).isTrue();
        assertThat(Posix.kernelAtLeast("6.1.0-13-amd64", 5, 8)).isTrue();
        assertThat(Posix.kernelAtLeast("5.10.0", 5, 8)).isTrue();
        assertThat(Posix.kernelAtLeast("5.7.19", 5, 8)).isFalse();
        assertThat(Posix.kernelAtLeast("4.19.0", 5, 8)).isFalse();
        assertThat(Posix.kernelAtLeast("10.0", 5, 8)).isTrue();
        assertThat(Posix.kernelAtLeast("unknown", 5, 8)).isFalse();
    }
}
