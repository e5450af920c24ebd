package dev.cairn.cli;

import dev.cairn.journal.tlog.Checkpoint;
import dev.cairn.journal.tlog.CheckpointKey;
import dev.cairn.journal.tlog.TlogProof;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cairn prove}: a tlog proof of one record that an outsider checks with the verifier key alone. */
class ProveCommandTest extends CheckpointedStore {

    @Override
    int layers() {
        return 4;
    }

    @BeforeEach
    void twoMoreLayers() {
        CliRun.addLayers(store(), 5, 6);
    }

    private TlogProof check(CliRun.Result r) throws IOException {
        assertThat(r.status()).as(r.err()).isZero();
        TlogProof proof = TlogProof.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
        proof.verify(CheckpointKey.readVerifier(store().resolve("keys")), "stdout");
        return proof;
    }

    @Test
    void aRecordIsProvenInAKeptCheckpoint() throws IOException {
        TlogProof proof = check(CliRun.cairn(store(), "prove", "5", "--checkpoint", kept.toString()));
        assertThat(proof.index()).isEqualTo(4);
        assertThat(new String(proof.leaf(), StandardCharsets.UTF_8)).contains("layer-3");
        assertThat(proof.checkpoint().toString()).isEqualTo(Files.readString(kept));
    }

    @Test
    void withoutACheckpointTheRecordIsProvenInOneOfTheHeadSignedNow() throws IOException {
        TlogProof proof = check(CliRun.cairn(store(), "prove", "11"));
        Checkpoint head = Checkpoint.parse(proof.checkpoint().text(), "head");
        assertThat(head.size()).isEqualTo(12);
    }

    @Test
    void aRecordTheCheckpointDoesNotCoverIsOneErrorLine() {
        CliRun.Result r = CliRun.cairn(store(), "prove", "9", "--checkpoint", kept.toString());
        assertThat(r.status()).isEqualTo(Main.FAILED);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).singleElement().asString()
                .isEqualTo("cairn: record 9 is not in the checkpoint, which covers seq 1 to 8");
    }

    @Test
    void aMalformedCheckpointFileIsOneErrorLineNamingIt() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.checkpoint"), "not a note\n");
        CliRun.Result r = CliRun.cairn(store(), "prove", "1", "--checkpoint", bad.toString());
        assertThat(r.status()).isEqualTo(Main.FAILED);
        assertThat(r.errLines()).singleElement().asString().startsWith("cairn: " + bad + ": ")
                .contains("no empty line before its signatures");
    }

    @Test
    void aCheckpointOfAnotherKeyIsOneErrorLine() throws IOException {
        Path other = dir.resolve("other");
        CliRun.addLayers(other, 1, 1);
        String otherKey = CliRun.cairn(other, "checkpoint", "--json").out();
        String vkey = new com.fasterxml.jackson.databind.ObjectMapper().readTree(otherKey).get("verifierKey").asText();
        CliRun.Result r = CliRun.cairn(store(), "prove", "1", "--checkpoint", kept.toString(), "--key", vkey);
        assertThat(r.status()).isEqualTo(Main.FAILED);
        assertThat(r.errLines()).singleElement().asString().startsWith("cairn: " + kept + ": not signed by ");
        CliRun.Result garbage = CliRun.cairn(store(), "prove", "1", "--checkpoint", kept.toString(), "--key", "x+y");
        assertThat(garbage.errLines()).singleElement().asString()
                .isEqualTo("cairn: the verifier key given: a verifier key is <name>+<key id>+<key>, not 'x+y'");
    }
}
