package dev.cairn.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarWriterTest {

    @TempDir
    Path temp;

    @Test
    void writesFilesAndSymlinksThatGnuTarAndTheIndexRead() throws Exception {
        Path file = temp.resolve("out.tar");
        byte[] big = new byte[70_000];
        new java.util.Random(1).nextBytes(big);
        try (OutputStream out = Files.newOutputStream(file)) {
            TarWriter w = new TarWriter(out);
            w.file("a.json", "{}".getBytes(StandardCharsets.UTF_8));
            w.file("big.tar", big);
            w.symlink("id/layer.tar", "../big.tar");
            w.finish();
        }
        assertThat(Files.size(file) % 512).isZero();
        assertThat(Tools.run(List.of("tar", "-tvf", file.toString())).lines())
                .anyMatch(l -> l.startsWith("-r--r--r--") && l.endsWith(" a.json"))
                .anyMatch(l -> l.contains("id/layer.tar -> ../big.tar"));
        assertThat(Tools.run(List.of("tar", "-xOf", file.toString(), "a.json"))).isEqualTo("{}");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            TarIndex index = TarIndex.read(ch, "out.tar");
            assertThat(TarIndex.open(ch, index.file("id/layer.tar").orElseThrow(), false).readAllBytes()).isEqualTo(big);
        }
    }
}
