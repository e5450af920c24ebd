package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The htpasswd file as CNCF distribution reads it: bcrypt only, every other kind refused by line. */
class HtpasswdTest {

    @TempDir
    Path dir;

    @Test
    void readsWhatHtpasswdDashBWrites() throws Exception {
        assumeTrue(Tools.onPath("htpasswd"), "htpasswd (Debian package apache2-utils) is not installed");
        Path file = dir.resolve("users");
        Process p = new ProcessBuilder("htpasswd", "-B", "-b", "-c", file.toString(), "carol", "p@ss word:with colon")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        Htpasswd h = Htpasswd.load(file);
        assertThat(h.verify("carol", "p@ss word:with colon".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(h.verify("carol", "p@ss word".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(h.verify("dave", "p@ss word:with colon".getBytes(StandardCharsets.UTF_8))).isFalse();
        // The second check of the same password is remembered; a wrong one still fails after it.
        assertThat(h.verify("carol", "p@ss word:with colon".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(h.verify("carol", "wrong".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void refusesHashesThatAreNotBcryptNamingTheLine() throws IOException {
        Path file = dir.resolve("users");
        Files.writeString(file, "ok:" + AuthenticationTest.bcrypt("x") + "\nold:$apr1$abc$defghijklmnopqrstuvwx1\n");
        assertThatThrownBy(() -> Htpasswd.load(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("line 2").hasMessageContaining("old").hasMessageContaining("htpasswd -B");
    }

    @Test
    void passwordsLongerThanBcryptReadsAreRefused() throws IOException {
        Path file = dir.resolve("users");
        String long72 = "a".repeat(72);
        Files.writeString(file, "u:" + AuthenticationTest.bcrypt(long72) + "\n");
        Htpasswd h = Htpasswd.load(file);
        assertThat(h.verify("u", long72.getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(h.verify("u", (long72 + "b").getBytes(StandardCharsets.UTF_8))).isFalse();
    }
}
