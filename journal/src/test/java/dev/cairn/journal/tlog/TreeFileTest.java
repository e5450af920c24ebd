package dev.cairn.journal.tlog;

import dev.cairn.model.FormatTooNewException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tree file: its byte layout, positions, what a crash or damage leaves and how each is met. */
class TreeFileTest {

    @TempDir
    Path dir;

    private static byte[] hash(int n) {
        byte[] h = new byte[32];
        ByteBuffer.wrap(h).putInt(n).putInt(28, ~n);
        return h;
    }

    private Path fileWith(int entries) throws IOException {
        Path file = dir.resolve("merkle");
        try (TreeFile tree = TreeFile.open(file, true)) {
            for (int i = 0; i < entries; i++) {
                tree.append(hash(i));
            }
            tree.flush();
        }
        return file;
    }

    private static void overwrite(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    private static int crc(byte[]... parts) {
        CRC32C crc = new CRC32C();
        for (byte[] p : parts) {
            crc.update(p);
        }
        return (int) crc.getValue();
    }

    @Test
    void positionsAreThePostOrderOfEveryCompleteSubtree() {
        // the order appendLeafHash writes: each leaf, then the subtrees it completes, lowest first
        List<long[]> order = new ArrayList<>();
        for (long leaf = 0; leaf < 300; leaf++) {
            order.add(new long[] {0, leaf});
            for (int level = 1; ((leaf + 1) & ((1L << level) - 1)) == 0; level++) {
                order.add(new long[] {level, (leaf + 1) / (1L << level) - 1});
            }
            assertThat(TreeFile.entriesFor(leaf + 1)).isEqualTo(order.size());
        }
        for (int p = 0; p < order.size(); p++) {
            assertThat(TreeFile.position((int) order.get(p)[0], order.get(p)[1]))
                    .as("level %d index %d", order.get(p)[0], order.get(p)[1]).isEqualTo(p);
        }
    }

    @Test
    void leavesInIsTheLargestTreeThatFits() {
        for (long entries = 0; entries < 5000; entries++) {
            long leaves = TreeFile.leavesIn(entries);
            assertThat(TreeFile.entriesFor(leaves)).isLessThanOrEqualTo(entries);
            assertThat(TreeFile.entriesFor(leaves + 1)).isGreaterThan(entries);
        }
        long big = TreeFile.entriesFor(123_456_789_012L);
        assertThat(TreeFile.leavesIn(big)).isEqualTo(123_456_789_012L);
    }

    @Test
    void theBytesAreTheDocumentedLayout() throws IOException {
        Path file = fileWith(2);
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).hasSize(20 + 2 * 36);
        byte[] header = java.util.Arrays.copyOf(bytes, 16);
        assertThat(HexFormat.of().formatHex(header)).isEqualTo("43524e4d" + "01" + "01" + "0024"
                + "0000000000000000");
        assertThat(ByteBuffer.wrap(bytes, 16, 4).getInt()).isEqualTo(crc(header));
        for (int p = 0; p < 2; p++) {
            byte[] entry = java.util.Arrays.copyOfRange(bytes, 20 + 36 * p, 20 + 36 * p + 32);
            assertThat(entry).isEqualTo(hash(p));
            assertThat(ByteBuffer.wrap(bytes, 20 + 36 * p + 32, 4).getInt())
                    .isEqualTo(crc(ByteBuffer.allocate(8).putLong(p).array(), entry));
        }
    }

    @Test
    void syncRecordsHowManyEntriesAreDurable() throws IOException {
        Path file = dir.resolve("merkle");
        try (TreeFile tree = TreeFile.open(file, true)) {
            tree.append(hash(1));
            tree.append(hash(2));
            tree.sync();
        }
        assertThat(ByteBuffer.wrap(Files.readAllBytes(file), 8, 8).getLong()).isEqualTo(2);
    }

    @Test
    void theFileIsSyncedEveryIntervalOfEntries() throws IOException {
        Path file = dir.resolve("merkle");
        try (TreeFile tree = TreeFile.open(file, true)) {
            for (long i = 0; i < TreeFile.SYNC_INTERVAL; i++) {
                tree.append(hash((int) i));
            }
            tree.flush();
            assertThat(ByteBuffer.wrap(Files.readAllBytes(file), 8, 8).getLong()).isEqualTo(TreeFile.SYNC_INTERVAL);
        }
    }

    @Test
    void entriesPastTheSyncedMarkThatFailTheirChecksumEndTheFile() throws IOException {
        Path file = fileWith(10);
        overwrite(file, 20 + 36 * 6 + 5, new byte[] {0x55});
        try (TreeFile tree = TreeFile.open(file, true)) {
            assertThat(tree.entries()).isEqualTo(6);
            assertThat(tree.read(5)).isEqualTo(hash(5));
        }
        assertThat(Files.size(file)).isEqualTo(20 + 36 * 6);
    }

    @Test
    void aTornLastEntryEndsTheFile() throws IOException {
        Path file = fileWith(3);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(20 + 36 * 2 + 17);
        }
        try (TreeFile tree = TreeFile.open(file, true)) {
            assertThat(tree.entries()).isEqualTo(2);
        }
    }

    @Test
    void damageBeforeTheSyncedMarkIsFoundWhenTheEntryIsRead() throws IOException {
        Path file = dir.resolve("merkle");
        try (TreeFile tree = TreeFile.open(file, true)) {
            for (int i = 0; i < 4; i++) {
                tree.append(hash(i));
            }
            tree.sync();
        }
        overwrite(file, 20 + 36 + 3, new byte[] {0x7f});
        try (TreeFile tree = TreeFile.open(file, false)) {
            assertThat(tree.entries()).isEqualTo(4);
            assertThatThrownBy(() -> tree.read(1)).isInstanceOf(TreeDamagedException.class)
                    .hasMessageContaining("entry 1 failed its checksum (hardware problem?)");
            assertThat(tree.read(2)).isEqualTo(hash(2));
        }
    }

    @Test
    void anEntryMovedToAnotherPositionFailsItsChecksum() throws IOException {
        Path file = fileWith(2);
        byte[] bytes = Files.readAllBytes(file);
        byte[] first = java.util.Arrays.copyOfRange(bytes, 20, 56);
        overwrite(file, 56, first);
        try (TreeFile tree = TreeFile.open(file, false)) {
            assertThat(tree.entries()).isEqualTo(1);
        }
    }

    @Test
    void aFileShorterThanItsSyncedMarkIsDamaged() throws IOException {
        Path file = dir.resolve("merkle");
        try (TreeFile tree = TreeFile.open(file, true)) {
            tree.append(hash(0));
            tree.append(hash(1));
            tree.sync();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(20 + 36);
        }
        assertThatThrownBy(() -> TreeFile.open(file, true)).isInstanceOf(TreeDamagedException.class)
                .hasMessageContaining("holds 1 entries but its header says 2 were made durable");
    }

    @Test
    void aDamagedHeaderIsDamage() throws IOException {
        Path file = fileWith(1);
        overwrite(file, 9, new byte[] {1});
        assertThatThrownBy(() -> TreeFile.open(file, false)).isInstanceOf(TreeDamagedException.class)
                .hasMessageContaining("header checksum failed");
        overwrite(file, 0, new byte[] {'X'});
        assertThatThrownBy(() -> TreeFile.open(file, false)).isInstanceOf(TreeDamagedException.class)
                .hasMessageContaining("magic");
    }

    @Test
    void aFileFromANewerCairnIsTooNewAndLeftAsItIs() throws IOException {
        Path file = fileWith(1);
        byte[] header = ByteBuffer.allocate(16).putInt(0x43524E4D).put((byte) 2).put((byte) 1).putShort((short) 36)
                .putLong(0).array();
        overwrite(file, 0, header);
        overwrite(file, 16, ByteBuffer.allocate(4).putInt(crc(header)).array());
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> TreeFile.open(file, true)).isInstanceOf(FormatTooNewException.class)
                .hasMessage("Cairn Merkle tree file (" + file + ") is too new: format version 2, this Cairn reads "
                        + "versions up to 1; it was written by a newer Cairn, which is needed to read it");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void readOnlyWritesNothingAndKeepsAppendsInMemory() throws IOException {
        Path missing = dir.resolve("none");
        try (TreeFile tree = TreeFile.open(missing, false)) {
            tree.append(hash(9));
            tree.flush();
            tree.sync();
            assertThat(tree.read(0)).isEqualTo(hash(9));
        }
        assertThat(missing).doesNotExist();
        Path file = fileWith(2);
        byte[] before = Files.readAllBytes(file);
        try (TreeFile tree = TreeFile.open(file, false)) {
            tree.append(hash(2));
            tree.flush();
            assertThat(tree.entries()).isEqualTo(3);
            assertThat(tree.read(2)).isEqualTo(hash(2));
            tree.truncate(1);
            assertThat(tree.entries()).isEqualTo(1);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void refreshTakesInWhatAnotherWriterAppendedAndNoticesAReplacedFile() throws IOException {
        Path file = fileWith(2);
        try (TreeFile reader = TreeFile.open(file, false)) {
            try (TreeFile writer = TreeFile.open(file, true)) {
                writer.append(hash(2));
                writer.flush();
            }
            assertThat(reader.entries()).isEqualTo(2);
            assertThat(reader.refresh()).isTrue();
            assertThat(reader.entries()).isEqualTo(3);
            assertThat(reader.read(2)).isEqualTo(hash(2));
            Files.move(file, dir.resolve("aside"), StandardCopyOption.ATOMIC_MOVE);
            fileWith(1);
            assertThat(reader.refresh()).isFalse();
        }
    }

    @Test
    void manyEntriesRoundTripThroughMemoryChunksAndTheFile() throws IOException {
        Path file = dir.resolve("merkle");
        int n = 100_000;
        try (TreeFile tree = TreeFile.open(file, true)) {
            for (int i = 0; i < n; i++) {
                tree.append(hash(i));
                if (i == 40_000) {
                    tree.flush();
                }
            }
            assertThat(tree.read(39_999)).isEqualTo(hash(39_999));
            assertThat(tree.read(70_000)).isEqualTo(hash(70_000));
            tree.truncate(70_001);
            tree.flush();
        }
        try (TreeFile tree = TreeFile.open(file, false)) {
            assertThat(tree.entries()).isEqualTo(70_001);
            assertThat(tree.read(70_000)).isEqualTo(hash(70_000));
            assertThat(tree.read(0)).isEqualTo(hash(0));
        }
    }
}
