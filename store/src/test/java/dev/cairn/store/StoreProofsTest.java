package dev.cairn.store;

import dev.cairn.journal.tlog.CheckpointKey;
import dev.cairn.journal.tlog.SignedCheckpoint;
import dev.cairn.journal.tlog.TlogProof;
import dev.cairn.journal.tlog.UntrustedNoteException;
import dev.cairn.model.HistoryRewrittenException;
import dev.cairn.model.ReadOnlyStoreException;
import dev.cairn.model.StoreNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checkpoints and proofs of a store's journal, beside the store open for writing. */
class StoreProofsTest {

    @TempDir
    Path root;

    private void createLayers(LayerStore store, int from, int to) throws IOException {
        for (int i = from; i <= to; i++) {
            store.create(LayerSpec.base().withName("l" + i));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCheckpointOfTheStoreIsExtendedAsTheStoreGrowsAndProvesItsRecords() throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            createLayers(store, 1, 3);
            StoreCheckpoint c;
            try (StoreProofs proofs = StoreProofs.openForSigning(root)) {
                c = proofs.checkpoint();
                assertThat(c.size()).isEqualTo(store.lastSeq());
                assertThat(proofs.verifierKey()).isEqualTo(c.verifierKey());
            }
            SignedCheckpoint.verify(utf8(c.note()), CheckpointKey.readVerifier(root.resolve("keys")), "c");
            createLayers(store, 4, 5);
            try (StoreProofs proofs = StoreProofs.open(root)) {
                CheckpointConsistency extended = proofs.verifyCheckpoint(utf8(c.note()), "kept", null);
                assertThat(extended.checkpointSize()).isEqualTo(c.size());
                assertThat(extended.journalSize()).isEqualTo(store.lastSeq());
                assertThat(extended.checkpointRoot()).isEqualTo(c.rootHash());
                assertThat(extended.storesOwnKey()).isTrue();
                assertThat(extended.proof()).isNotEmpty();
                String proof = proofs.prove(2, utf8(c.note()), "kept", c.verifierKey());
                assertThat(TlogProof.parse(utf8(proof), "p").verify(CheckpointKey.readVerifier(root.resolve("keys")),
                        "p").size()).isEqualTo(c.size());
            }
        }
    }

    @Test
    void aCheckpointTheJournalNoLongerExtendsIsRefused() throws IOException {
        StoreCheckpoint c;
        try (LayerStore store = LayerStore.open(root)) {
            createLayers(store, 1, 2);
            try (StoreProofs proofs = StoreProofs.openForSigning(root)) {
                c = proofs.checkpoint();
            }
        }
        // another store under the same key and origin: a journal with another history
        Path other = root.resolveSibling(root.getFileName() + "-other");
        try (LayerStore store = LayerStore.open(other)) {
            createLayers(store, 7, 9);
        }
        Files.createDirectories(other.resolve("keys"));
        for (String f : new String[] {CheckpointKey.KEY_FILE, CheckpointKey.PUBLIC_FILE}) {
            Files.copy(root.resolve("keys").resolve(f), other.resolve("keys").resolve(f),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try (StoreProofs proofs = StoreProofs.open(other)) {
            assertThatThrownBy(() -> proofs.verifyCheckpoint(utf8(c.note()), "kept", null))
                    .isInstanceOf(HistoryRewrittenException.class)
                    .hasMessageContaining("are not those the checkpoint covers");
        }
    }

    @Test
    void aCheckpointIsCheckedWithTheKeyGiven() throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            createLayers(store, 1, 1);
        }
        try (StoreProofs proofs = StoreProofs.openForSigning(root)) {
            String note = proofs.checkpoint().note();
            CheckpointKey stranger = CheckpointKey.create(root.resolve("stranger"), "elsewhere/log");
            assertThatThrownBy(() -> proofs.verifyCheckpoint(utf8(note), "kept", stranger.verifier().toString()))
                    .isInstanceOf(UntrustedNoteException.class);
        }
    }

    @Test
    void checkingWritesNothing() throws IOException {
        StoreCheckpoint c;
        try (LayerStore store = LayerStore.open(root)) {
            createLayers(store, 1, 2);
            try (StoreProofs proofs = StoreProofs.openForSigning(root)) {
                c = proofs.checkpoint();
            }
            createLayers(store, 3, 4);
        }
        Path tree = root.resolve("journal").resolve("merkle");
        byte[] before = Files.readAllBytes(tree);
        try (StoreProofs proofs = StoreProofs.open(root)) {
            assertThat(proofs.verifyCheckpoint(utf8(c.note()), "kept", null).journalSize()).isEqualTo(8);
            assertThat(proofs.prove(3, utf8(c.note()), "kept", null)).startsWith("c2sp.org/tlog-proof@v1\n");
            assertThatThrownBy(proofs::checkpoint).isInstanceOf(ReadOnlyStoreException.class);
            assertThatThrownBy(() -> proofs.prove(3, null, null, null)).isInstanceOf(ReadOnlyStoreException.class);
        }
        assertThat(Files.readAllBytes(tree)).isEqualTo(before);
    }

    @Test
    void theLastSignedCheckpointIsReadWithoutTheJournal() throws IOException {
        assertThat(StoreProofs.lastSigned(root)).isEmpty();
        StoreCheckpoint c;
        try (LayerStore store = LayerStore.open(root)) {
            createLayers(store, 1, 2);
            assertThat(StoreProofs.lastSigned(root)).isEmpty();
            try (StoreProofs proofs = StoreProofs.openForSigning(root)) {
                c = proofs.checkpoint();
            }
        }
        assertThat(StoreProofs.lastSigned(root)).contains(c);
    }

    @Test
    void thereIsNothingToProveWithoutAStore() {
        assertThatThrownBy(() -> StoreProofs.open(root.resolve("none"))).isInstanceOf(StoreNotFoundException.class);
    }

    @Test
    void aStoreHasItsKeyFromItsCreationAndOneMadeWithoutOneGetsItAtItsFirstCheckpoint() throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            createLayers(store, 1, 1);
        }
        assertThat(root.resolve("keys").resolve(CheckpointKey.PUBLIC_FILE)).as("made with the store").exists();
        String madeWithTheStore;
        try (StoreProofs proofs = StoreProofs.open(root)) {
            madeWithTheStore = proofs.verifierKey();
        }
        dev.cairn.io.DurableFiles.removeTree(root.resolve("keys")); // as a store made before keys came with it
        try (StoreProofs proofs = StoreProofs.open(root)) {
            assertThatThrownBy(() -> proofs.verifyCheckpoint(utf8("x\n\n— a b\n"), "kept", null))
                    .isInstanceOf(java.nio.file.NoSuchFileException.class)
                    .hasMessageContaining("cairn checkpoint makes it");
        }
        StoreCheckpoint c;
        try (StoreProofs proofs = StoreProofs.openForSigning(root)) {
            c = proofs.checkpoint();
            assertThat(proofs.verifierKey()).isNotEqualTo(madeWithTheStore);
            assertThat(proofs.verifyCheckpoint(utf8(c.note()), "kept", null)).isNotNull();
        }
        try (var names = Files.list(root.resolve("keys"))) {
            assertThat(names.map(p -> p.getFileName().toString()).sorted()).containsExactly(
                    CheckpointKey.KEY_FILE, CheckpointKey.LATEST_FILE, CheckpointKey.PUBLIC_FILE);
        }
        try (var names = Files.list(root.resolve("trash"))) {
            assertThat(names).as("the key was built there and moved").isEmpty();
        }
    }
}
