package dev.cairn.journal.tlog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading a kept checkpoint back: its signature, its text and its origin are all checked. */
class SignedCheckpointTest {

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCheckpointSignedByTheKeyReadsBack() throws IOException {
        CheckpointKey key = CheckpointKey.create(dir.resolve("keys"), "example.org/store");
        Checkpoint c = new Checkpoint("example.org/store", 5, Rfc6962Vectors.root(5));
        SignedNote note = key.sign(c.text());
        SignedCheckpoint read = SignedCheckpoint.verify(utf8(note.toString()), key.verifier(), "kept");
        assertThat(read.checkpoint()).isEqualTo(c);
        assertThat(read.toString()).isEqualTo(note.toString());
        assertThat(note.toString()).isEqualTo("example.org/store\n5\nTju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n\n— "
                + "example.org/store " + note.toString().split(" ")[2]);
    }

    @Test
    void anotherKeysCheckpointOrAChangedOneIsNotBelieved() throws IOException {
        CheckpointKey key = CheckpointKey.create(dir.resolve("a"), "example.org/store");
        CheckpointKey other = CheckpointKey.create(dir.resolve("b"), "example.org/store");
        String note = key.sign(new Checkpoint("example.org/store", 5, Rfc6962Vectors.root(5)).text()).toString();
        assertThatThrownBy(() -> SignedCheckpoint.verify(utf8(note), other.verifier(), "kept"))
                .isInstanceOf(UntrustedNoteException.class).hasMessageStartingWith("kept: not signed by");
        String bigger = note.replace("\n5\n", "\n6\n");
        assertThatThrownBy(() -> SignedCheckpoint.verify(utf8(bigger), key.verifier(), "kept"))
                .isInstanceOf(UntrustedNoteException.class).hasMessageContaining("does not verify");
    }

    @Test
    void aCheckpointOfAnotherOriginIsAnotherLogs() throws IOException {
        CheckpointKey key = CheckpointKey.create(dir.resolve("keys"), "example.org/store");
        String note = key.sign(new Checkpoint("example.org/elsewhere", 1, Rfc6962Vectors.root(1)).text()).toString();
        assertThatThrownBy(() -> SignedCheckpoint.verify(utf8(note), key.verifier(), "kept"))
                .isInstanceOf(UntrustedNoteException.class)
                .hasMessage("kept: the checkpoint is for origin example.org/elsewhere but signed by key "
                        + "example.org/store: it is another log's checkpoint");
    }

    @Test
    void aSignedNoteThatIsNoCheckpointIsMalformed() throws IOException {
        CheckpointKey key = CheckpointKey.create(dir.resolve("keys"), "example.org/store");
        String note = key.sign("just text\n").toString();
        assertThatThrownBy(() -> SignedCheckpoint.verify(utf8(note), key.verifier(), "kept"))
                .isInstanceOf(MalformedNoteException.class).hasMessageContaining("at least 3 lines");
    }
}
