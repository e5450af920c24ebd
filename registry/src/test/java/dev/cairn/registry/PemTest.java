package dev.cairn.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS keys in every PEM form openssl writes, made by openssl itself (skipped without it). */
class PemTest {

    @TempDir
    Path dir;

    static void openssl(Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "RSA PKCS#1 (BEGIN RSA PRIVATE KEY), genrsa -traditional -out key.pem 2048",
            "RSA PKCS#8 (BEGIN PRIVATE KEY), genpkey -algorithm RSA -out key.pem",
            "EC SEC1 (BEGIN EC PRIVATE KEY), ecparam -name prime256v1 -genkey -noout -out key.pem",
            "Ed25519 PKCS#8, genpkey -algorithm ed25519 -out key.pem"})
    void readsTheKeyAndChainOpensslWrites(String form, String generate) throws Exception {
        assumeTrue(Tools.onPath("openssl"), "openssl is not installed");
        openssl(dir, generate.split(" "));
        openssl(dir, "req", "-new", "-x509", "-key", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=cairn");
        KeyStore ks = Pem.keyStore(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        PrivateKey key = (PrivateKey) ks.getKey("cairn", Pem.PASSWORD);
        X509Certificate cert = (X509Certificate) ks.getCertificate("cairn");
        assertThat(key).isNotNull();
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=cairn");
        assertThat(Files.readString(dir.resolve("key.pem"))).contains("PRIVATE KEY");
    }

    @Test
    void anEncryptedKeyOrAnEmptyChainIsRefusedNamingTheFile() throws Exception {
        assumeTrue(Tools.onPath("openssl"), "openssl is not installed");
        openssl(dir, "genpkey", "-algorithm", "RSA", "-aes256", "-pass", "pass:secret", "-out", "enc.pem");
        openssl(dir, "req", "-new", "-x509", "-key", "enc.pem", "-passin", "pass:secret", "-out", "cert.pem",
                "-days", "1", "-subj", "/CN=cairn");
        assertThatThrownBy(() -> Pem.keyStore(dir.resolve("cert.pem"), dir.resolve("enc.pem")))
                .isInstanceOf(IOException.class).hasMessageContaining("enc.pem").hasMessageContaining("unencrypted");
        Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> Pem.keyStore(dir.resolve("empty.pem"), dir.resolve("enc.pem")))
                .isInstanceOf(IOException.class).hasMessageContaining("empty.pem");
    }
}
