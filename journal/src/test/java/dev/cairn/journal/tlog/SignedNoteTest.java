package dev.cairn.journal.tlog;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.spec.InvalidKeySpecException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signed notes: the published notes verify, hand-built ones are judged by the format's rules. */
class SignedNoteTest {

    private static NoteVerifier key(String vkey) throws MalformedNoteException {
        return NoteVerifier.parse(vkey, "key");
    }

    @Test
    void theSpecificationsExampleVerifies() throws Exception {
        SignedNote note = SignedNote.parse(NoteVectors.EXAMPLE_NOTE.getBytes(StandardCharsets.UTF_8), "example");
        assertThat(note.verifiedText(key(NoteVectors.EXAMPLE_VKEY), "example")).isEqualTo("This is an example message.\n");
        assertThat(note.toString()).isEqualTo(NoteVectors.EXAMPLE_NOTE);
    }

    @Test
    void signingGosTextWithGosKeyGivesGosSignature() throws InvalidKeySpecException, MalformedNoteException {
        NoteVerifier peter = key(NoteVectors.PETER_VKEY);
        byte[] signature = Ed25519.sign(Ed25519.privateKey(NoteVectors.peterSeed()),
                NoteVectors.TEXT.getBytes(StandardCharsets.UTF_8));
        SignedNote note = SignedNote.of(NoteVectors.TEXT,
                List.of(new SignedNote.Signature(peter.name(), peter.keyId(), signature)));
        assertThat(note.toString()).isEqualTo(NoteVectors.TEXT + "\n" + NoteVectors.PETER_SIG);
    }

    @Test
    void signaturesByOtherKeysAreIgnored() throws Exception {
        String both = NoteVectors.TEXT + "\n" + NoteVectors.PETER_SIG + NoteVectors.ENOCH_SIG;
        SignedNote note = SignedNote.parse(both, "both");
        assertThat(note.signatures()).hasSize(2);
        assertThat(note.verifiedText(key(NoteVectors.PETER_VKEY), "both")).isEqualTo(NoteVectors.TEXT);
        assertThat(note.verifiedText(key(NoteVectors.ENOCH_VKEY), "both")).isEqualTo(NoteVectors.TEXT);
        assertThatThrownBy(() -> note.verifiedText(key(NoteVectors.EXAMPLE_VKEY), "both"))
                .isInstanceOf(UntrustedNoteException.class)
                .hasMessage("both: not signed by example.com/foo (key id 530d903a); signed by PeterNeumann (key id "
                        + "c74f20a3), EnochRoot (key id af0cfe78)");
    }

    @Test
    void aChangedTextFailsItsSignature() throws Exception {
        String changed = NoteVectors.TEXT.replace("answer", "Answer") + "\n" + NoteVectors.PETER_SIG;
        SignedNote note = SignedNote.parse(changed, "changed");
        assertThatThrownBy(() -> note.verifiedText(key(NoteVectors.PETER_VKEY), "changed"))
                .isInstanceOf(UntrustedNoteException.class)
                .hasMessage("changed: the signature by PeterNeumann (key id c74f20a3) does not verify: the note was "
                        + "changed after it was signed");
    }

    @Test
    void aSignatureWithTheRightNameButAnotherKeyIdIsIgnored() throws Exception {
        String forged = NoteVectors.TEXT + "\n" + NoteVectors.ENOCH_SIG.replace("EnochRoot", "PeterNeumann");
        assertThatThrownBy(() -> SignedNote.parse(forged, "n").verifiedText(key(NoteVectors.PETER_VKEY), "n"))
                .isInstanceOf(UntrustedNoteException.class).hasMessageContaining("not signed by PeterNeumann");
    }

    @Test
    void theTextEndsAtTheLastEmptyLine() throws Exception {
        String text = "first\n\nsecond\n";
        NoteVerifier peter = key(NoteVectors.PETER_VKEY);
        byte[] signature = Ed25519.sign(Ed25519.privateKey(NoteVectors.peterSeed()), text.getBytes(StandardCharsets.UTF_8));
        String note = SignedNote.of(text, List.of(new SignedNote.Signature(peter.name(), peter.keyId(), signature)))
                .toString();
        assertThat(SignedNote.parse(note, "n").verifiedText(peter, "n")).isEqualTo(text);
    }

    @Test
    void malformedNotesAreRefusedSayingWhatIsWrong() {
        String sig = NoteVectors.PETER_SIG;
        String text = NoteVectors.TEXT;
        assertMalformed(text + "\n" + sig.strip(), "does not end with a newline");
        assertMalformed(text + sig, "has no empty line before its signatures");
        assertMalformed(text + "\n", "has no signature lines after its empty line");
        assertMalformed(text + "\n\n", "has no signature lines");
        assertMalformed(text + "\n" + "- PeterNeumann abc=\n", "is not a signature line");
        assertMalformed(text + "\n" + "— PeterNeumann\n", "is not '— <key name> <signature>'");
        assertMalformed(text + "\n" + "— Peter Neumann x08go/ZJ=\n", "is not '— <key name> <signature>'");
        assertMalformed(text + "\n" + "— PeterNeumann !!!\n", "the signature by PeterNeumann is not base64");
        assertMalformed(text + "\n" + "— PeterNeumann AAAA\n", "3 bytes, too short");
        assertMalformed("tab\there\n\n" + sig, "line 1 holds control character 0x09");
        assertMalformed("cr\r\n\n" + sig, "line 1 holds control character 0x0d");
        assertMalformed(text + "\n" + sig.repeat(101), "has 101 signature lines; at most 100 are read");
        assertThatThrownBy(() -> SignedNote.parse(new byte[] {'a', (byte) 0xff, '\n', '\n'}, "bytes"))
                .isInstanceOf(MalformedNoteException.class).hasMessage("bytes: is not valid UTF-8, so not a signed note");
        assertThatThrownBy(() -> SignedNote.parse(new byte[SignedNote.MAX_SIZE + 1], "big"))
                .isInstanceOf(MalformedNoteException.class).hasMessageContaining("a signed note is at most");
    }

    private static void assertMalformed(String note, String message) {
        assertThatThrownBy(() -> SignedNote.parse(note, "note.txt")).as(note)
                .isInstanceOf(MalformedNoteException.class).hasMessageStartingWith("note.txt: ")
                .hasMessageContaining(message);
    }
}
