package dev.cairn.journal.tlog;

import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.spec.InvalidKeySpecException;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** Ed25519 through the JDK with raw RFC 8032 keys: the RFC's first test vector, and the key encodings. */
class Ed25519Test {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc8032TestOneSignsAndVerifiesAsPublished() throws InvalidKeySpecException {
        byte[] secret = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        byte[] pub = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] signature = HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        assertThat(Ed25519.sign(Ed25519.privateKey(secret), new byte[0])).isEqualTo(signature);
        assertThat(Ed25519.verify(Ed25519.publicKey(pub), new byte[0], signature)).isTrue();
        assertThat(Ed25519.verify(Ed25519.publicKey(pub), new byte[] {0}, signature)).isFalse();
    }

    @Test
    void rawKeysRoundTripThroughTheJdkEncodings() throws InvalidKeySpecException {
        KeyPair pair = Ed25519.generate();
        byte[] pub = Ed25519.rawPublicKey(pair.getPublic());
        byte[] seed = Ed25519.rawPrivateKey(pair.getPrivate());
        assertThat(pub).hasSize(32);
        assertThat(seed).hasSize(32);
        byte[] message = "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] signature = Ed25519.sign(Ed25519.privateKey(seed), message);
        assertThat(Ed25519.verify(Ed25519.publicKey(pub), message, signature)).isTrue();
        assertThat(Ed25519.verify(pair.getPublic(), message, signature)).isTrue();
    }

    @Test
    void aSignatureOfTheWrongLengthIsNotValid() throws InvalidKeySpecException {
        KeyPair pair = Ed25519.generate();
        assertThat(Ed25519.verify(pair.getPublic(), new byte[0], new byte[63])).isFalse();
        assertThat(Ed25519.verify(pair.getPublic(), new byte[0], new byte[64])).isFalse();
    }
}
