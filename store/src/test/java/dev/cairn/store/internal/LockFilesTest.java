package dev.cairn.store.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Owner locks: held until released, seen by probes, and never freed for other processes by a probe of this JVM. */
class LockFilesTest {

    @TempDir
    Path dir;

    /** Whether another process (python's fcntl, the same POSIX locks as the JVM's) can take the lock now. */
    private static boolean anotherProcessCanTake(Path file) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", "import fcntl,sys\nf=open(sys.argv[1],'r+')\n"
                + "try:\n  fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept OSError:\n  sys.exit(1)",
                file.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0;
    }

    @Test
    void aNewLockAppearsHeldAndIsFreeAndGoneOnceReleasedAndForgotten() throws Exception {
        Path file = dir.resolve("a".repeat(32));

        LockFiles.Owned owned = LockFiles.create(file);

        assertThat(file).exists();
        assertThat(LockFiles.held(file)).isTrue();
        assertThat(LockFiles.adopt(file)).as("not twice in one JVM").isEmpty();
        assertThat(anotherProcessCanTake(file)).isFalse();
        owned.release(true);
        assertThat(file).doesNotExist();
        assertThat(LockFiles.held(file)).isFalse();
    }

    @Test
    void anUnfinishedLockFileIsRemovedOnlyOnceNoLiveProcessHoldsIt() throws Exception {
        Path dead = Files.createFile(dir.resolve(LockFiles.NEW_PREFIX + "x-" + "d".repeat(32)));
        Path making = Files.createFile(dir.resolve(LockFiles.NEW_PREFIX + "y-" + "e".repeat(32)));
        Path inPlace = Files.createFile(dir.resolve("f".repeat(32)));
        Process holder = new ProcessBuilder("python3", "-c", "import fcntl,sys,time\nf=open(sys.argv[1],'r+')\n"
                + "fcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)", making.toString())
                .redirectErrorStream(true).start();
        try {
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine())
                    .isEqualTo("locked");

            LockFiles.forgetUnfinished(dir);

            assertThat(dead).doesNotExist();
            assertThat(making).as("a live process is making it").exists();
            assertThat(inPlace).as("not an unfinished one").exists();
        } finally {
            holder.destroyForcibly().waitFor();
        }
        LockFiles.forgetUnfinished(dir);
        assertThat(making).doesNotExist();
    }

    @Test
    void probingALockThisJvmHoldsNeverFreesItForOtherProcesses() throws Exception {
        Path file = dir.resolve("b".repeat(32));
        try (LockFiles.Owned owned = LockFiles.create(file)) {
            for (int i = 0; i < 3; i++) {
                assertThat(LockFiles.held(file)).isTrue();
                assertThat(LockFiles.adopt(file)).isEmpty();
            }
            // POSIX drops a process's lock when any of its descriptors of the file closes: a probe that opened and
            // closed the file would have freed it here.
            assertThat(anotherProcessCanTake(file)).isFalse();
        }
        assertThat(anotherProcessCanTake(file)).isTrue();
    }

    @Test
    void aLockHeldByAnotherProcessIsSeenAndCannotBeAdopted() throws Exception {
        Path file = Files.createFile(dir.resolve("c".repeat(32)));
        Process holder = new ProcessBuilder("python3", "-c", "import fcntl,sys,time\nf=open(sys.argv[1],'r+')\n"
                + "fcntl.lockf(f, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(60)", file.toString()).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(5))).isEqualTo("held\n");

            assertThat(LockFiles.held(file)).isTrue();
            assertThat(LockFiles.adopt(file)).isEmpty();

            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // its lock dies with it
            assertThat(LockFiles.held(file)).isFalse();
            try (LockFiles.Owned adopted = LockFiles.adopt(file).orElseThrow()) {
                assertThat(anotherProcessCanTake(file)).isFalse();
            }
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void aMissingLockFileIsFreeAndAdoptingMakesIt() throws IOException {
        Path file = dir.resolve("d".repeat(32));

        assertThat(LockFiles.held(file)).isFalse();
        LockFiles.adopt(file).orElseThrow().release(true);

        assertThat(file).doesNotExist();
    }
}
