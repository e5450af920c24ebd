package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checkpoint text of C2SP tlog-checkpoint: written exactly, read strictly. */
class CheckpointTest {

    /** The body of the C2SP tlog-checkpoint specification's example. */
    private static final String EXAMPLE = "example.com/behind-the-sofa\n20852163\n"
            + "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    @Test
    void theSpecificationsExampleReadsAndWritesBackTheSame() throws MalformedNoteException {
        Checkpoint c = Checkpoint.parse(EXAMPLE, "example");
        assertThat(c.origin()).isEqualTo("example.com/behind-the-sofa");
        assertThat(c.size()).isEqualTo(20852163);
        assertThat(c.rootHash().bytes()).isEqualTo(Base64.getDecoder().decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="));
        assertThat(c.extensions()).isEmpty();
        assertThat(c.text()).isEqualTo(EXAMPLE);
    }

    @Test
    void extensionLinesFollowTheRoot() throws MalformedNoteException {
        Checkpoint c = new Checkpoint("o", 0, Rfc6962Vectors.root(0), List.of("ext one", "ext two"));
        assertThat(c.text()).isEqualTo("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next two\n");
        assertThat(Checkpoint.parse(c.text(), "c")).isEqualTo(c);
    }

    @Test
    void malformedCheckpointsAreRefusedNamingTheLine() {
        String root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        assertMalformed("o\n1\n" + root, "does not end with a newline");
        assertMalformed("o\n1\n", "at least 3 lines");
        assertMalformed("o\n01\n" + root + "\n", "line 2 of the checkpoint, '01', is not a tree size");
        assertMalformed("o\n-1\n" + root + "\n", "line 2 of the checkpoint, '-1', is not a tree size");
        assertMalformed("o\n+1\n" + root + "\n", "is not a tree size");
        assertMalformed("o\n99999999999999999999\n" + root + "\n", "is not a tree size");
        assertMalformed("o\n9999999999999999999\n" + root + "\n", "too large");
        assertMalformed("o\n1\nnot base64!\n", "line 3 of the checkpoint: 'not base64!' is not base64");
        assertMalformed("o\n1\nAAAA\n", "is not the base64 of a 32-byte hash");
        assertMalformed("\n1\n" + root + "\n", "line 1 of the checkpoint is empty");
        assertMalformed("o\n1\n" + root + "\n\n", "line 4 of the checkpoint is empty");
    }

    @Test
    void aCheckpointCannotHoldWhatItsTextCannotSay() {
        Digest root = Rfc6962Vectors.root(1);
        assertThatThrownBy(() -> new Checkpoint("", 1, root)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Checkpoint("a\nb", 1, root)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Checkpoint("o", -1, root)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Checkpoint("o", 1, root, List.of(""))).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertMalformed(String text, String message) {
        assertThatThrownBy(() -> Checkpoint.parse(text, "kept.checkpoint")).as(text)
                .isInstanceOf(MalformedNoteException.class).hasMessageStartingWith("kept.checkpoint")
                .hasMessageContaining(message);
    }
}
