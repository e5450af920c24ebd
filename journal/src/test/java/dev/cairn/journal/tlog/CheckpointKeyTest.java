package dev.cairn.journal.tlog;

import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's checkpoint key: its files and modes, its format, and the record of what it signed. */
class CheckpointKeyTest {

    @TempDir
    Path root;

    private Path keys() {
        return root.resolve("keys");
    }

    /** A key file written by hand from the documented format. */
    private Path handBuiltKeyFile(String name, byte[] publicKey, byte[] seed, int version) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + n.length + 64 + 4);
        b.put(new byte[] {'C', 'R', 'N', 'K', (byte) version, 1}).putShort((short) n.length).put(n).put(publicKey)
                .put(seed);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        Files.createDirectories(keys());
        Path file = keys().resolve(CheckpointKey.KEY_FILE);
        Files.write(file, b.array());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void createMakesThePrivateKeyReadableByItsOwnerOnly() throws IOException {
        CheckpointKey key = CheckpointKey.create(keys(), "registry.example.com/layers");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys().resolve(CheckpointKey.KEY_FILE))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(keys().resolve(CheckpointKey.PUBLIC_FILE))).isEqualTo(key.verifier() + "\n");
        assertThat(key.origin()).isEqualTo("registry.example.com/layers");
        assertThat(CheckpointKey.load(keys()).verifier()).isEqualTo(key.verifier());
        assertThat(CheckpointKey.readVerifier(keys())).isEqualTo(key.verifier());
        byte[] file = Files.readAllBytes(keys().resolve(CheckpointKey.KEY_FILE));
        assertThat(file).hasSize(8 + 27 + 64 + 4);
        assertThat(new String(file, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("CRNK");
        assertThat(java.util.Arrays.copyOfRange(file, 8 + 27, 8 + 27 + 32)).isEqualTo(key.verifier().publicKey());
        assertThat(keys().toFile().list()).containsExactlyInAnyOrder(CheckpointKey.KEY_FILE, CheckpointKey.PUBLIC_FILE);
    }

    @Test
    void aHandBuiltKeyFileSignsAsTheReferenceImplementationDoes() throws IOException {
        handBuiltKeyFile("PeterNeumann", NoteVectors.peterPublic(), NoteVectors.peterSeed(), 1);
        CheckpointKey key = CheckpointKey.load(keys());
        assertThat(key.verifier().toString()).isEqualTo(NoteVectors.PETER_VKEY);
        assertThat(key.sign(NoteVectors.TEXT).toString()).isEqualTo(NoteVectors.TEXT + "\n" + NoteVectors.PETER_SIG);
    }

    @Test
    void anExistingKeyIsNeverReplaced() throws IOException {
        CheckpointKey first = CheckpointKey.create(keys(), "one");
        assertThatThrownBy(() -> CheckpointKey.create(keys(), "two")).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(CheckpointKey.load(keys()).verifier()).isEqualTo(first.verifier());
        assertThat(CheckpointKey.loadOrCreate(keys(), "three").verifier()).isEqualTo(first.verifier());
    }

    @Test
    void aMakerThatLosesTheRenameToAnotherLoadsTheWinnersKeyAndRemovesItsOwn() throws IOException {
        Path building = keys().resolveSibling("building");
        CheckpointKey[] winner = new CheckpointKey[1];
        java.util.concurrent.atomic.AtomicBoolean raced = new java.util.concurrent.atomic.AtomicBoolean();
        dev.cairn.model.internal.FaultPoints.install(point -> {
            if (point.equals(dev.cairn.model.internal.FaultPoints.KEY_BUILT) && raced.compareAndSet(false, true)) {
                try {
                    winner[0] = CheckpointKey.create(keys(), "winner"); // between its check and its rename
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        try {
            assertThat(CheckpointKey.loadOrCreate(keys(), building, "loser").verifier())
                    .isEqualTo(winner[0].verifier());
        } finally {
            dev.cairn.model.internal.FaultPoints.install(null);
        }
        assertThat(Files.exists(building)).as("the loser's key is removed").isFalse();
        assertThat(CheckpointKey.readVerifier(keys())).isEqualTo(winner[0].verifier());
        assertThat(keys().getParent().toFile().list()).as("nothing is left beside it").containsExactly("keys");
    }

    @Test
    void loadOrCreateMakesAKeyForAStoreThatHasNoneAndRestoresAMissingPublicFile() throws IOException {
        assertThatThrownBy(() -> CheckpointKey.load(keys())).isInstanceOf(NoSuchFileException.class);
        CheckpointKey made = CheckpointKey.loadOrCreate(keys(), "made/later");
        Files.delete(keys().resolve(CheckpointKey.PUBLIC_FILE));
        assertThat(CheckpointKey.loadOrCreate(keys(), "other").verifier()).isEqualTo(made.verifier());
        assertThat(CheckpointKey.readVerifier(keys())).isEqualTo(made.verifier());
    }

    @Test
    void aDamagedKeyFileIsRefusedNamingIt() throws IOException {
        Path file = handBuiltKeyFile("k", NoteVectors.peterPublic(), NoteVectors.peterSeed(), 1);
        byte[] bytes = Files.readAllBytes(file);
        bytes[20] ^= 4;
        Files.write(file, bytes);
        assertThatThrownBy(() -> CheckpointKey.load(keys())).isInstanceOf(CheckpointKeyException.class)
                .hasMessageStartingWith(file + ": checksum failed (hardware problem?)");
        Files.write(file, java.util.Arrays.copyOf(bytes, 50));
        assertThatThrownBy(() -> CheckpointKey.load(keys())).isInstanceOf(CheckpointKeyException.class)
                .hasMessageContaining("is 50 bytes");
    }

    @Test
    void halvesThatDoNotBelongTogetherAreRefused() throws IOException {
        byte[] otherPublic = NoteVerifier.parse(NoteVectors.ENOCH_VKEY, "k").publicKey();
        handBuiltKeyFile("k", otherPublic, NoteVectors.peterSeed(), 1);
        assertThatThrownBy(() -> CheckpointKey.load(keys())).isInstanceOf(CheckpointKeyException.class)
                .hasMessageContaining("do not belong together");
    }

    @Test
    void aKeyFileFromANewerCairnIsTooNew() throws IOException {
        handBuiltKeyFile("k", NoteVectors.peterPublic(), NoteVectors.peterSeed(), 2);
        assertThatThrownBy(() -> CheckpointKey.load(keys())).isInstanceOf(FormatTooNewException.class)
                .hasMessageContaining("Cairn checkpoint key file (").hasMessageContaining("is too new: format version 2");
    }

    @Test
    void aPrivateKeyOthersMayReadIsRefused() throws IOException {
        CheckpointKey.create(keys(), "k");
        Path file = keys().resolve(CheckpointKey.KEY_FILE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> CheckpointKey.load(keys())).isInstanceOf(CheckpointKeyException.class)
                .hasMessage(file + ": the private key is accessible to others than its owner (mode rw-r--r--); make it "
                        + "rw------- (chmod 600) and consider it compromised if others could read it");
    }

    @Test
    void anOriginThatCannotBeAKeyNameIsRefused() {
        assertThatThrownBy(() -> CheckpointKey.create(keys(), "has space")).isInstanceOf(IllegalArgumentException.class);
        assertThat(keys()).doesNotExist();
    }

    @Test
    void theDefaultOriginIsAKeyNameUniqueToTheStore() {
        String a = CheckpointKey.defaultOrigin();
        NoteVerifier.checkName(a);
        assertThat(a).matches("[A-Za-z0-9.-]+/cairn/[0-9a-f]{16}");
        assertThat(CheckpointKey.defaultOrigin()).isNotEqualTo(a);
    }

    @Test
    void signingRecordsEachCheckpointBeforeHandingItOut() throws IOException {
        CheckpointKey key = CheckpointKey.create(keys(), "o");
        Checkpoint first = new Checkpoint("o", 3, Rfc6962Vectors.root(3));
        try (CheckpointKey.Signing signing = key.beginSigning()) {
            assertThat(signing.lastSigned()).isEmpty();
            SignedNote note = signing.sign(first);
            assertThat(Files.readString(keys().resolve(CheckpointKey.LATEST_FILE))).isEqualTo(note.toString());
            assertThat(note.verifiedText(key.verifier(), "n")).isEqualTo(first.text());
            assertThat(signing.lastSigned()).contains(first);
            assertThatThrownBy(() -> signing.sign(new Checkpoint("o", 2, Rfc6962Vectors.root(2))))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> signing.sign(new Checkpoint("p", 5, Rfc6962Vectors.root(5))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        try (CheckpointKey.Signing signing = CheckpointKey.load(keys()).beginSigning()) {
            assertThat(signing.lastSigned()).contains(first);
        }
        assertThat(CheckpointKey.lastSigned(keys())).as("read with the verifier key only").contains(first);
    }

    @Test
    void aKeyThatSignedNothingHasNoLastCheckpoint() throws IOException {
        CheckpointKey.create(keys(), "o");
        assertThat(CheckpointKey.lastSigned(keys())).isEmpty();
    }

    @Test
    void aRecordOfTheLastCheckpointThatCannotBeTrustedStopsSigning() throws IOException {
        CheckpointKey key = CheckpointKey.create(keys(), "o");
        try (CheckpointKey.Signing signing = key.beginSigning()) {
            signing.sign(new Checkpoint("o", 3, Rfc6962Vectors.root(3)));
        }
        Path latest = keys().resolve(CheckpointKey.LATEST_FILE);
        Files.writeString(latest, Files.readString(latest).replace("\n3\n", "\n2\n"));
        assertThatThrownBy(key::beginSigning).isInstanceOf(CheckpointKeyException.class)
                .hasMessageContaining("the record of the last checkpoint signed cannot be trusted")
                .hasMessageContaining("does not verify");
        Files.writeString(latest, "garbage");
        assertThatThrownBy(key::beginSigning).isInstanceOf(CheckpointKeyException.class)
                .hasMessageContaining("refusing to sign");
    }

    @Test
    void signingIsOneAtATimeAcrossThreads() throws Exception {
        CheckpointKey key = CheckpointKey.create(keys(), "o");
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<?>> all = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long size = t + 1;
                all.add(pool.submit(() -> {
                    try (CheckpointKey.Signing signing = CheckpointKey.load(keys()).beginSigning()) {
                        most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        Thread.sleep(20);
                        long next = Math.max(size, signing.lastSigned().map(Checkpoint::size).orElse(0L));
                        signing.sign(new Checkpoint("o", next, Digest.sha256(new byte[] {(byte) next})));
                        inside.decrementAndGet();
                    }
                    return null;
                }));
            }
            for (var f : all) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(most.get()).isEqualTo(1);
        assertThat(key.verifier()).isNotNull();
    }
}
