package dev.cairn.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.InvalidImageException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TarIndexTest {

    private static final String LONG = "d/" + "n".repeat(150) + "/file.tar";

    @TempDir
    Path temp;

    private Path tar(int longFileMode, Object... entries) throws Exception {
        Path file = temp.resolve("t" + longFileMode + ".tar");
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(longFileMode);
            for (int i = 0; i < entries.length; i += 3) {
                char type = (Character) entries[i];
                TarArchiveEntry e = new TarArchiveEntry((String) entries[i + 1], (byte) type);
                if (type == '0') {
                    byte[] b = ((String) entries[i + 2]).getBytes(StandardCharsets.UTF_8);
                    e.setSize(b.length);
                    tar.putArchiveEntry(e);
                    tar.write(b);
                } else {
                    e.setLinkName((String) entries[i + 2]);
                    tar.putArchiveEntry(e);
                }
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    private static String read(Path file, String name) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            TarIndex index = TarIndex.read(ch, file.toString());
            return index.file(name).map(e -> {
                try {
                    return new String(TarIndex.open(ch, e, false).readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.io.IOException x) {
                    throw new java.io.UncheckedIOException(x);
                }
            }).orElse("<none>");
        }
    }

    @Test
    void findsEntriesByCleanedNameUnderGnuAndPaxLongNames() throws Exception {
        for (int mode : new int[] {TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX}) {
            Path file = tar(mode, '0', "manifest.json", "[]", '0', LONG, "long", '0', "./a/b.tar", "ab");
            assertThat(read(file, "manifest.json")).isEqualTo("[]");
            assertThat(read(file, LONG)).isEqualTo("long");
            assertThat(read(file, "a//b.tar")).isEqualTo("ab");
            assertThat(read(file, "absent")).isEqualTo("<none>");
        }
    }

    @Test
    void followsSymlinksAndHardlinksWithinTheArchive() throws Exception {
        Path file = tar(TarArchiveOutputStream.LONGFILE_POSIX, '0', "x.tar", "data",
                (char) TarConstants.LF_SYMLINK, "id/layer.tar", "../x.tar",
                (char) TarConstants.LF_SYMLINK, "id2/layer.tar", "../id/layer.tar",
                (char) TarConstants.LF_LINK, "hard.tar", "x.tar");
        assertThat(read(file, "id/layer.tar")).isEqualTo("data");
        assertThat(read(file, "id2/layer.tar")).isEqualTo("data");
        assertThat(read(file, "hard.tar")).isEqualTo("data");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource({"../../etc/passwd, outside the archive", "/etc/passwd, absolute path", "loop.tar, more than 16 links"})
    void refusesLinksLeadingOutsideOrInCircles(String target, String expected) throws Exception {
        Path file = tar(TarArchiveOutputStream.LONGFILE_POSIX, (char) TarConstants.LF_SYMLINK, "loop.tar", target);
        assertThatThrownBy(() -> read(file, "loop.tar")).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void aNameTwiceIsRefusedWhenLookedUp() throws Exception {
        Path file = tar(TarArchiveOutputStream.LONGFILE_POSIX, '0', "manifest.json", "[1]", '0', "./manifest.json", "[2]",
                '0', "other", "x");
        assertThat(read(file, "other")).isEqualTo("x");
        assertThatThrownBy(() -> read(file, "manifest.json")).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("two entries are named manifest.json");
    }

    @Test
    void aDamagedHeaderOrTruncatedEntryIsRefusedNamingTheByte() throws Exception {
        Path file = tar(TarArchiveOutputStream.LONGFILE_POSIX, '0', "a", "x".repeat(2000), '0', "b", "y");
        byte[] bytes = Files.readAllBytes(file);
        byte[] damaged = bytes.clone();
        damaged[3] ^= 1;
        Files.write(file, damaged);
        assertThatThrownBy(() -> read(file, "a")).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("checksum fails at byte 0");
        Files.write(file, java.util.Arrays.copyOf(bytes, 1000));
        assertThatThrownBy(() -> read(file, "a")).isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("runs past the end");
    }

    @Test
    void cleansNamesAsGoPathCleanDoes() {
        assertThat(TarIndex.clean("./a//b/../c")).isEqualTo("a/c");
        assertThat(TarIndex.clean("a/../../b")).isEqualTo("../b");
        assertThat(TarIndex.clean("/a/../../b")).isEqualTo("/b");
        assertThat(TarIndex.clean("")).isEqualTo(".");
    }
}
