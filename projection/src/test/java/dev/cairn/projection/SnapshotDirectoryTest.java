package dev.cairn.projection;

import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.LayerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotDirectoryTest {

    @TempDir
    Path tmp;

    private final History history = new History();

    /** A snapshot at each seq 1..n of a history of created layers. */
    private IndexSnapshot at(int seq) {
        LayerIndex index = LayerIndex.empty();
        while (history.records().size() < seq) {
            history.fold(new Event.LayerCreated(LayerId.of(History.digest("l" + history.records().size()).hex()),
                    null, List.of(), null, ""));
        }
        return IndexSnapshot.of(index.applyAll(history.records().subList(0, seq)),
                History.digest("hash of " + seq));
    }

    private static void makeTooNew(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).putInt(4 + 1 + IndexSnapshot.FORMAT.name().length(), 9);
        Files.write(file, IndexSnapshotTest.reseal(bytes));
    }

    @Test
    void aSnapshotIsWrittenWholeOwnerOnlyAndReadBackAsTheNewest() throws IOException {
        SnapshotDirectory dir = new SnapshotDirectory(tmp);
        dir.write(at(2));
        Path newest = dir.write(at(5));
        assertThat(newest.getFileName().toString()).isEqualTo("snapshot-00000000000000000005.cidx");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(newest))).isEqualTo("rw-------");
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        SnapshotDirectory.Loaded loaded = dir.load();
        assertThat(loaded.snapshot().orElseThrow().seq()).isEqualTo(5);
        assertThat(loaded.snapshot().orElseThrow().hash()).isEqualTo(History.digest("hash of 5"));
        assertThat(loaded.file()).contains(newest);
        assertThat(loaded.refused()).isEmpty();
    }

    @Test
    void aMissingFolderHoldsNoSnapshot() throws IOException {
        SnapshotDirectory.Loaded loaded = new SnapshotDirectory(tmp.resolve("absent")).load();
        assertThat(loaded.snapshot()).isEmpty();
        assertThat(loaded.refused()).isEmpty();
    }

    @Test
    void newerFilesThatDoNotReadWholeArePassedOverAndSaidWhy() throws IOException {
        SnapshotDirectory dir = new SnapshotDirectory(tmp);
        dir.write(at(2));
        Path damaged = dir.write(at(3));
        Path truncated = dir.write(at(4));
        Path tooNew = dir.write(at(5));
        Path misnamed = tmp.resolve("snapshot-00000000000000000006.cidx");
        Files.copy(dir.write(at(1)), misnamed);
        byte[] d = Files.readAllBytes(damaged);
        d[d.length / 2] ^= 1;
        Files.write(damaged, d);
        byte[] t = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(t, t.length - 10));
        makeTooNew(tooNew);
        Files.writeString(tmp.resolve("notes.txt"), "not a snapshot");

        SnapshotDirectory.Loaded loaded = dir.load();
        assertThat(loaded.snapshot().orElseThrow().seq()).isEqualTo(2);
        assertThat(loaded.refused()).extracting(SnapshotDirectory.Refused::file)
                .containsExactly(misnamed, tooNew, truncated, damaged);
        assertThat(loaded.refused()).extracting(SnapshotDirectory.Refused::tooNew)
                .containsExactly(false, true, false, false);
        assertThat(loaded.refused().get(0).reason()).contains("not the seq its name says");
        assertThat(loaded.refused().get(3).reason()).contains("checksum failed");
    }

    @Test
    void pruningKeepsTheNewestAndEveryTooNewOneAndRemovesOldTemporaries() throws IOException {
        SnapshotDirectory dir = new SnapshotDirectory(tmp);
        Path tooNewOld = dir.write(at(1));
        makeTooNew(tooNewOld);
        for (int seq = 2; seq <= 6; seq++) {
            dir.write(at(seq));
        }
        Path oldTemp = Files.writeString(tmp.resolve(".snapshot-00000000000000000009.cidx.123.tmp"), "half");
        Files.setLastModifiedTime(oldTemp, FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS)));
        Path freshTemp = Files.writeString(tmp.resolve(".snapshot-00000000000000000010.cidx.456.tmp"), "being written");

        dir.prune(2);

        assertThat(dir.files()).extracting(SnapshotDirectory::seqOf).containsExactly(6L, 5L, 1L);
        assertThat(oldTemp).doesNotExist();
        assertThat(freshTemp).exists();
        assertThat(dir.remove(tooNewOld)).isFalse();
        assertThat(tooNewOld).exists();
        assertThat(dir.remove(dir.files().get(0))).isTrue();
        assertThat(dir.files()).extracting(SnapshotDirectory::seqOf).containsExactly(5L, 1L);
    }

    @Test
    void aDamagedFileWhoseHeaderSaysNewerIsNeverRemoved() throws IOException {
        SnapshotDirectory dir = new SnapshotDirectory(tmp);
        Path file = dir.write(at(3));
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).putInt(4 + 1 + IndexSnapshot.FORMAT.name().length(), 2);
        Files.write(file, bytes);
        assertThat(dir.load().refused()).singleElement().satisfies(r -> assertThat(r.tooNew()).isFalse());
        assertThat(dir.remove(file)).isFalse();
        dir.prune(0 + 1);
        assertThat(file).exists();
        assertThat(Digest.sha256(Files.readAllBytes(file))).isEqualTo(Digest.sha256(bytes));
    }
}
