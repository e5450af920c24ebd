package dev.cairn.journal;

import dev.cairn.io.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SpaceReservationTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    /** Bytes the file system has allocated to {@code file} ({@code stat %b}, in 512-byte units). */
    private static long allocated(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("stat", "-c", "%b", file.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(p.waitFor()).as(out).isZero();
        return Long.parseLong(out) * 512;
    }

    /** Deallocates a range again, as if it had never been reserved ({@code fallocate --punch-hole}). */
    private static void punchHole(Path file, long offset, long length) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("fallocate", "-p", "-o", Long.toString(offset), "-l",
                Long.toString(length), file.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor() == 0, "cannot punch holes here: " + out);
    }

    private Path sparseFile() throws IOException {
        assumeTrue(Posix.available(), "needs Linux");
        return Files.write(tmp.resolve("20261201F.cq4"), "abc".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void ensureAllocatesUpToTheEndAndAheadWithoutChangingTheFile() throws Exception {
        Path file = sparseFile();
        new SpaceReservation().ensure(file, MIB, MIB);
        assertThat(allocated(file)).isGreaterThanOrEqualTo(2 * MIB);
        assertThat(Files.size(file)).isEqualTo(3);
        assertThat(Files.readString(file)).isEqualTo("abc");
    }

    @Test
    void ensureAsksTheFileSystemOnlyForWhatIsPastItsLastReservation() throws Exception {
        Path file = sparseFile();
        SpaceReservation space = new SpaceReservation();
        space.ensure(file, MIB, MIB);
        punchHole(file, 0, MIB);
        long withHole = allocated(file);

        space.ensure(file, MIB + MIB / 2, MIB);
        assertThat(allocated(file)).as("within what it reserved: no call at all").isEqualTo(withHole);
        space.ensure(file, 3 * MIB, MIB);
        long past = allocated(file);
        assertThat(past).as("past it: only the part past it").isEqualTo(withHole + 2 * MIB);

        new SpaceReservation().ensure(file, MIB, MIB);
        assertThat(allocated(file)).as("a new reservation (a journal opened again) starts at 0, filling the hole")
                .isGreaterThan(past).isGreaterThanOrEqualTo(4 * MIB);
    }

    @Test
    void anotherFileStartsAgainFromItsStart() throws Exception {
        Path first = sparseFile();
        Path second = Files.write(tmp.resolve("20261202F.cq4"), new byte[0]);
        SpaceReservation space = new SpaceReservation();
        space.ensure(first, MIB, MIB);
        space.ensure(second, MIB / 2, MIB / 2);
        assertThat(allocated(second)).isGreaterThanOrEqualTo(MIB);
    }

    @Test
    void tooLittleFreeSpaceIsNoSpaceLeftOnDeviceNamingThePath() {
        assertThatThrownBy(() -> SpaceReservation.requireFree(tmp, Long.MAX_VALUE))
                .isInstanceOf(FileSystemException.class)
                .hasMessageContaining(tmp.toString()).hasMessageContaining("No space left on device");
    }
}
