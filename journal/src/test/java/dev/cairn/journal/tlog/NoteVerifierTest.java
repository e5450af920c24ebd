package dev.cairn.journal.tlog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Verifier keys in their signed-note text form: known keys parse, any mangling is refused. */
class NoteVerifierTest {

    @ParameterizedTest
    @ValueSource(strings = {NoteVectors.EXAMPLE_VKEY, NoteVectors.PETER_VKEY, NoteVectors.ENOCH_VKEY})
    void aPublishedKeyParsesAndPrintsAsItself(String vkey) throws MalformedNoteException {
        NoteVerifier v = NoteVerifier.parse(vkey, "test");
        assertThat(v.toString()).isEqualTo(vkey);
        assertThat(v.name()).isEqualTo(vkey.substring(0, vkey.indexOf('+')));
        assertThat(String.format("%08x", v.keyId())).isEqualTo(vkey.split("\\+")[1]);
        assertThat(NoteVerifier.parse(vkey + "\n", "test")).isEqualTo(v);
    }

    @Test
    void aKeyWhoseBase64HoldsAPlusParses() throws Exception {
        String vkey;
        do {
            byte[] pub = Ed25519.rawPublicKey(Ed25519.generate().getPublic());
            vkey = NoteVerifier.of("store/one", pub).toString();
        } while (vkey.split("\\+", 3)[2].indexOf('+') < 0);
        assertThat(NoteVerifier.parse(vkey, "k").toString()).isEqualTo(vkey);
    }

    @Test
    void theKeyIdIsTheFirstFourBytesOfTheHashOfNameNewlineTypeAndKey() {
        byte[] pub = NoteVectors.peterPublic();
        byte[] input = new byte["PeterNeumann".length() + 2 + 32];
        System.arraycopy("PeterNeumann".getBytes(StandardCharsets.UTF_8), 0, input, 0, 12);
        input[12] = '\n';
        input[13] = 1;
        System.arraycopy(pub, 0, input, 14, 32);
        byte[] hash = ReferenceTree.sha256(input);
        int expected = ((hash[0] & 0xff) << 24) | ((hash[1] & 0xff) << 16) | ((hash[2] & 0xff) << 8) | (hash[3] & 0xff);
        assertThat(NoteVerifier.keyId("PeterNeumann", pub)).isEqualTo(expected).isEqualTo(0xc74f20a3);
    }

    @Test
    void everyPartOfAKeyAndEveryChangedCharacterIsRefused() {
        String vkey = NoteVectors.PETER_VKEY;
        for (int i = 0; i <= vkey.length(); i++) {
            for (int j = i + 1; j <= vkey.length(); j++) {
                if (i != 0 || j != vkey.length()) {
                    String part = vkey.substring(i, j);
                    if (!part.strip().equals(vkey)) {
                        assertThatThrownBy(() -> NoteVerifier.parse(part, "k")).as(part)
                                .isInstanceOf(MalformedNoteException.class);
                    }
                }
            }
        }
        char[] chars = vkey.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            chars[i]++;
            String changed = new String(chars);
            assertThatThrownBy(() -> NoteVerifier.parse(changed, "k")).as(changed)
                    .isInstanceOf(MalformedNoteException.class);
            chars[i]--;
        }
    }

    @Test
    void aKeyOfAnotherTypeOrLengthIsRefusedSayingWhy() {
        assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                "--key")).isInstanceOf(MalformedNoteException.class)
                .hasMessage("--key: the verifier key is not an Ed25519 key (type 0x65, 33 bytes; want type 0x01 and 33 "
                        + "bytes)");
        assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                "--key")).isInstanceOf(MalformedNoteException.class)
                .hasMessageContaining("key id c74f20a4 does not match the name and key (they give c74f20a3)");
    }

    @Test
    void keyNamesHoldNoSpaceNoPlusAndNoControlCharacter() {
        for (String bad : new String[] {"", "a b", "a+b", "a\tb", "a\u00a0b", "a\u2003b", "a\nb"}) {
            assertThatThrownBy(() -> NoteVerifier.checkName(bad)).as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        NoteVerifier.checkName("registry.example.com/layers");
        NoteVerifier.checkName("ünïcode/ok");
    }
}
