package dev.cairn.cli;

import dev.cairn.journal.ForgedJournals;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cairn verify --checkpoint}: the journal extends a kept checkpoint, or the first record that differs. */
class VerifyCommandTest extends CheckpointedStore {

    @Override
    int layers() {
        return 5;
    }

    @Test
    void aJournalThatGrewExtendsTheCheckpoint() throws IOException {
        CliRun.addLayers(store(), 6, 7);
        CliRun.Result r = CliRun.cairn(store(), "verify", "--checkpoint", kept.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("checkpoint:       " + kept + ": ").contains(", 10 records, root ")
                .contains("signature:        good, by ").contains("(the store's own key: pass --key")
                .contains("extends:          yes: the journal's 14 records").contains("consistency proof of 4 hashes");
        Path keyFile = store().resolve("keys").resolve("checkpoint.pub");
        for (String key : List.of(keyFile.toString(), Files.readString(keyFile).strip())) {
            CliRun.Result withKey = CliRun.cairn(store(), "verify", "--checkpoint", kept.toString(), "--key", key);
            assertThat(withKey.status()).as(withKey.err()).isZero();
            assertThat(withKey.out()).contains("(the key given with --key)");
        }
    }

    @Test
    void aRepairThatCutCheckpointedRecordsIsDetectedNamingTheFirstRecordThatDiffers() throws IOException {
        // damage the name of layer-4 in its LayerCreated record, seq 7, and let repair cut the journal there
        ForgedJournals.flipBit(store().resolve("journal"), "layer-4");
        CliRun.Result broken = CliRun.cairn(store(), "verify");
        assertThat(broken.status()).isEqualTo(Main.FAILED);
        CliRun.Result repair = CliRun.cairn(store(), "repair");
        assertThat(repair.status()).as(repair.out() + repair.err()).isZero();
        assertThat(repair.out()).contains("checkpoints:      broken: every checkpoint of more than 6 records, the last "
                + "one signed (10 records) among them");
        CliRun.Result r = CliRun.cairn(store(), "verify", "--checkpoint", kept.toString());
        assertThat(r.status()).isEqualTo(Main.FAILED);
        assertThat(r.out()).contains("the journal does NOT extend it");
        assertThat(r.errLines()).singleElement().asString().isEqualTo("cairn: the journal does not extend the "
                + "checkpoint of 10 records: record 7 is not the one the checkpoint covers (history from seq 7 on was "
                + "rewritten)");
        CliRun.Result sign = CliRun.cairn(store(), "checkpoint");
        assertThat(sign.status()).isEqualTo(Main.FAILED);
        assertThat(sign.errLines()).singleElement().asString().startsWith("cairn: refusing to sign: the journal");
    }

    @Test
    void aChangedCheckpointFileIsOneErrorLine() throws IOException {
        Path changed = Files.writeString(dir.resolve("changed"), Files.readString(kept).replace("\n10\n", "\n9\n"));
        CliRun.Result r = CliRun.cairn(store(), "verify", "--checkpoint", changed.toString());
        assertThat(r.status()).isEqualTo(Main.FAILED);
        assertThat(r.errLines()).singleElement().asString().startsWith("cairn: " + changed + ": the signature by ")
                .endsWith("does not verify: the note was changed after it was signed");
    }
}
