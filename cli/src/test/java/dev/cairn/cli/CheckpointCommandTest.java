package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.journal.tlog.CheckpointKey;
import dev.cairn.journal.tlog.SignedCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cairn checkpoint}: a signed checkpoint of the head, as text or JSON. */
class CheckpointCommandTest {

    @TempDir
    Path dir;

    private Path store() {
        return dir.resolve("store");
    }

    @Test
    void printsASignedCheckpointOfTheHeadThatTheStoresKeyVerifies() throws IOException {
        CliRun.addLayers(store(), 1, 3);
        CliRun.Result r = CliRun.cairn(store(), "checkpoint");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        SignedCheckpoint c = SignedCheckpoint.verify(r.out().getBytes(StandardCharsets.UTF_8),
                CheckpointKey.readVerifier(store().resolve("keys")), "stdout");
        assertThat(c.checkpoint().size()).isEqualTo(6);
        assertThat(c.checkpoint().origin()).matches(".+/cairn/[0-9a-f]{16}");
        assertThat(r.out()).startsWith(c.checkpoint().origin() + "\n6\n").contains("\n\n\u2014 ");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                store().resolve("keys").resolve(CheckpointKey.KEY_FILE)))).isEqualTo("rw-------");
        assertThat(Files.readString(store().resolve("keys").resolve(CheckpointKey.LATEST_FILE))).isEqualTo(r.out());
    }

    @Test
    void jsonHasTheCheckpointsFieldsAndTheKey() throws IOException {
        CliRun.addLayers(store(), 1, 1);
        CliRun.Result r = CliRun.cairn(store(), "checkpoint", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertThat(o.get("size").asLong()).isEqualTo(2);
        assertThat(o.get("rootHash").asText()).matches("[A-Za-z0-9+/]{43}=");
        assertThat(o.get("note").asText()).startsWith(o.get("origin").asText() + "\n2\n" + o.get("rootHash").asText());
        assertThat(o.get("verifierKey").asText()).isEqualTo(
                Files.readString(store().resolve("keys").resolve(CheckpointKey.PUBLIC_FILE)).strip());
    }

    @Test
    void aLaterCheckpointIsSignedByTheSameKey() {
        CliRun.addLayers(store(), 1, 1);
        CliRun.Result first = CliRun.cairn(store(), "checkpoint");
        CliRun.addLayers(store(), 2, 2);
        CliRun.Result second = CliRun.cairn(store(), "checkpoint");
        assertThat(second.status()).as(second.err()).isZero();
        String origin = first.out().substring(0, first.out().indexOf('\n'));
        assertThat(second.out()).startsWith(origin + "\n4\n");
    }

    @Test
    void noStoreIsOneErrorLine() {
        CliRun.Result r = CliRun.cairn(dir.resolve("none"), "checkpoint");
        assertThat(r.status()).isEqualTo(Main.FAILED);
        assertThat(r.errLines()).singleElement().asString().startsWith("cairn: no Cairn store at");
    }
}
