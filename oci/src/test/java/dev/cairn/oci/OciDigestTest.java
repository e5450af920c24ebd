package dev.cairn.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.Digest;
import dev.cairn.model.UnsupportedImageException;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class OciDigestTest {

    private static final String HEX64 = "a".repeat(64);

    @Test
    void parsesAndPrintsTheAlgorithmAndEncodedParts() {
        OciDigest d = OciDigest.parse("sha256:" + HEX64);
        assertThat(d.algorithm()).isEqualTo("sha256");
        assertThat(d.encoded()).isEqualTo(HEX64);
        assertThat(d).hasToString("sha256:" + HEX64);
        assertThat(OciDigest.parse("sha512:" + "b".repeat(128)).verifiable()).isTrue();
    }

    @Test
    void unregisteredAlgorithmsOfTheGrammarAreHeldButCannotBeVerified() {
        OciDigest d = OciDigest.parse("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8");
        assertThat(d.verifiable()).isFalse();
        assertThatThrownBy(() -> d.newHasher("blob x")).isInstanceOf(UnsupportedImageException.class)
                .hasMessageContaining("blob x").hasMessageContaining("multihash+base58");
        assertThatThrownBy(() -> OciDigest.parse("blake3:" + HEX64).newHasher("b"))
                .isInstanceOf(UnsupportedImageException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha256", ":abc", "sha256:", "SHA256:" + "a", "sha256:" + "A", "sha256:abc",
            "sha512:abc", "sha256:" + "a" + "/../x", "a..b:x", "+a:x"})
    void textOutsideTheGrammarOrARegisteredEncodingIsRefused(String text) {
        assertThatThrownBy(() -> OciDigest.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void convertsToAndFromTheStoresSha256Digest() {
        Digest d = Digest.sha256(new byte[] {1, 2, 3});
        assertThat(OciDigest.of(d).toSha256()).contains(d);
        assertThat(OciDigest.parse("sha512:" + "b".repeat(128)).toSha256()).isEmpty();
        assertThat(OciDigest.sha256(new byte[] {1, 2, 3})).isEqualTo(OciDigest.of(d));
    }

    @Test
    void sha512HashesAreEncodedInTheDigestsOwnAlgorithm() throws Exception {
        OciDigest d = OciDigest.parse("sha512:" + "0".repeat(128));
        byte[] hash = d.newHasher("x").digest(new byte[0]);
        assertThat(d.withHash(hash).encoded()).isEqualTo(HexFormat.of().formatHex(hash)).hasSize(128);
    }
}
