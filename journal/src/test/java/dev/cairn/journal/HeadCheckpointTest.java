package dev.cairn.journal;

import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.JournalCorruptedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeadCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void theFormatIs49BytesMagicVersionSeqHashAndCrc32cAsJournalsAlreadyHoldIt() {
        HeadCheckpoint c = new HeadCheckpoint(0x0102030405060708L, SampleEvents.digest("record"));
        byte[] bytes = c.encode();
        assertThat(bytes).hasSize(HeadCheckpoint.SIZE).hasSize(49);
        assertThat(HexFormat.of().formatHex(bytes, 0, 13)).isEqualTo("43524e4801" + "0102030405060708");
        assertThat(java.util.Arrays.copyOfRange(bytes, 13, 45)).isEqualTo(c.hash().bytes());
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 45);
        assertThat(ByteBuffer.wrap(bytes).getInt(45)).isEqualTo((int) crc.getValue());
    }

    @Test
    void aWrittenCheckpointReadsBackAndNoneOrAnEmptyFileIsEmpty() throws IOException {
        assertThat(HeadCheckpoint.read(dir)).isEmpty();
        Files.createFile(dir.resolve(HeadCheckpoint.FILE));
        assertThat(HeadCheckpoint.read(dir)).isEmpty();
        HeadCheckpoint c = new HeadCheckpoint(42, SampleEvents.digest("r42"));
        c.writeDurably(dir);
        assertThat(HeadCheckpoint.read(dir)).contains(c);
    }

    @Test
    void aDamagedCheckpointIsJournalDamageNamingTheFile() throws IOException {
        byte[] bytes = new HeadCheckpoint(42, SampleEvents.digest("r42")).encode();
        bytes[20] ^= 1;
        Path file = Files.write(dir.resolve(HeadCheckpoint.FILE), bytes);
        assertThatThrownBy(() -> HeadCheckpoint.read(dir))
                .isInstanceOfSatisfying(JournalCorruptedException.class,
                        e -> assertThat(e.position()).isEqualTo(file.toString()))
                .hasMessageContaining("the journal's head checkpoint checksum failed (hardware problem?)");
        Files.write(file, new byte[]{'C', 'R', 'N', 'X', 1, 2, 3, 4, 5});
        assertThatThrownBy(() -> HeadCheckpoint.read(dir)).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("head checkpoint is damaged: not a Cairn journal head checkpoint");
    }

    @Test
    void aCheckpointOfANewerVersionIsTooNewWhateverItsLength() throws IOException {
        byte[] longer = java.util.Arrays.copyOf(new HeadCheckpoint(42, SampleEvents.digest("r42")).encode(), 60);
        longer[4] = 2;
        Path file = Files.write(dir.resolve(HeadCheckpoint.FILE), JournalEdits.reseal(longer));
        assertThatThrownBy(() -> HeadCheckpoint.read(dir)).isInstanceOfSatisfying(FormatTooNewException.class, e -> {
            assertThat(e.resource()).isEqualTo(file.toString());
            assertThat(e.foundVersion()).isEqualTo(2);
        });
    }
}
