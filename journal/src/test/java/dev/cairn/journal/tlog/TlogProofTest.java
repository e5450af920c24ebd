package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The C2SP tlog-proof text: written as specified, read back strictly, and checked end to end. */
class TlogProofTest {

    @TempDir
    Path dir;

    private CheckpointKey key;
    private SignedNote checkpoint;

    @BeforeEach
    void signTheReferenceTree() throws IOException {
        key = CheckpointKey.create(dir.resolve("keys"), "example.org/store");
        checkpoint = key.sign(new Checkpoint("example.org/store", 8, Rfc6962Vectors.root(8)).text());
    }

    private TlogProof proofOfLeaf5() {
        Rfc6962Vectors.Inclusion v = Rfc6962Vectors.INCLUSIONS.get(2);
        return new TlogProof(Rfc6962Vectors.LEAVES.get(5), 5, v.proof().path(), checkpoint);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theTextIsHeaderExtraIndexHashesAndTheCheckpoint() {
        TlogProof p = proofOfLeaf5();
        assertThat(p.toString()).isEqualTo("c2sp.org/tlog-proof@v1\n"
                + "extra QEFCQw==\n"
                + "index 5\n"
                + "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=\n"
                + "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=\n"
                + "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=\n"
                + "\n" + checkpoint);
    }

    @Test
    void aProofReadsBackAndVerifies() throws IOException {
        TlogProof read = TlogProof.parse(utf8(proofOfLeaf5().toString()), "p");
        assertThat(read.index()).isEqualTo(5);
        assertThat(read.leaf()).isEqualTo(Rfc6962Vectors.LEAVES.get(5));
        assertThat(read.toString()).isEqualTo(proofOfLeaf5().toString());
        Checkpoint c = read.verify(key.verifier(), "p");
        assertThat(c.size()).isEqualTo(8);
    }

    @Test
    void anotherRecordOrAnotherPlaceFails() throws IOException {
        String text = proofOfLeaf5().toString();
        String otherLeaf = text.replace("extra QEFCQw==", "extra " + Base64.getEncoder().encodeToString(new byte[] {1}));
        assertThatThrownBy(() -> TlogProof.parse(utf8(otherLeaf), "p").verify(key.verifier(), "p"))
                .isInstanceOf(InvalidProofException.class);
        String otherIndex = text.replace("index 5", "index 4");
        assertThatThrownBy(() -> TlogProof.parse(utf8(otherIndex), "p").verify(key.verifier(), "p"))
                .isInstanceOf(InvalidProofException.class);
        String beyond = text.replace("index 5", "index 8");
        assertThatThrownBy(() -> TlogProof.parse(utf8(beyond), "p").verify(key.verifier(), "p"))
                .isInstanceOf(InvalidProofException.class).hasMessageContaining("tree has 8 leaves");
    }

    @Test
    void aProofAgainstAnUnsignedOrForeignCheckpointFails() throws IOException {
        CheckpointKey other = CheckpointKey.create(dir.resolve("other"), "example.org/store");
        assertThatThrownBy(() -> proofOfLeaf5().verify(other.verifier(), "p"))
                .isInstanceOf(UntrustedNoteException.class);
    }

    @Test
    void malformedProofsAreRefusedSayingWhy() {
        String good = proofOfLeaf5().toString();
        assertMalformed("c2sp.org/tlog-proof@v2\n" + good.substring(good.indexOf('\n') + 1), "is not a tlog proof");
        assertMalformed(good.replace("index 5", "index 05"), "is not 'index <n>'");
        assertMalformed(good.replace("extra QEFCQw==", "extra !!"), "extra line of the tlog proof is not base64");
        assertMalformed(good.replace("vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=", "vBoG"), "line 4 of the tlog proof");
        assertMalformed(good.replace("\n\n" + checkpoint, "\n\nnot a note\n"), "(its checkpoint)");
        assertThatThrownBy(() -> new TlogProof(null, 5, List.of(), checkpoint).verify(key.verifier(), "p"))
                .isInstanceOf(MalformedNoteException.class).hasMessageContaining("carries no record");
    }

    @Test
    void aProofWithoutExtraReadsBackWithoutALeaf() throws MalformedNoteException {
        TlogProof bare = new TlogProof(null, 0, List.of(Digest.sha256(new byte[0])), checkpoint);
        assertThat(bare.toString()).startsWith("c2sp.org/tlog-proof@v1\nindex 0\n");
        assertThat(TlogProof.parse(utf8(bare.toString()), "p").leaf()).isNull();
    }

    private static void assertMalformed(String text, String message) {
        assertThatThrownBy(() -> TlogProof.parse(utf8(text), "record.tlog-proof")).as(text)
                .isInstanceOf(MalformedNoteException.class).hasMessageStartingWith("record.tlog-proof")
                .hasMessageContaining(message);
    }
}
