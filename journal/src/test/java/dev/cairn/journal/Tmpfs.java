package dev.cairn.journal;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, to fill it or make it read-only for real. Needs root; a test that uses it is
 * skipped, with the reason, where it cannot be mounted.
 */
public final class Tmpfs implements AutoCloseable {

    public final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code megabytes} MiB at {@code dir} (created), or skips the test. */
    public static Tmpfs mount(Path dir, int megabytes) throws IOException, InterruptedException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to mount a tmpfs (running as " + System.getProperty("user.name") + ")");
        Files.createDirectories(dir);
        String result = run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString());
        Assumptions.assumeTrue(result == null, "cannot mount a tmpfs at " + dir + ": " + result);
        return new Tmpfs(dir);
    }

    /** Remounts read-only ({@code true}) or read-write; fails the test if that is refused. */
    public void readOnly(boolean readOnly) throws IOException, InterruptedException {
        String result = run("mount", "-o", "remount," + (readOnly ? "ro" : "rw"), dir.toString());
        if (result != null) {
            throw new AssertionError("remount " + (readOnly ? "ro" : "rw") + " of " + dir + " failed: " + result);
        }
    }

    /** Fills the file system with {@code filler} until only about {@code leaveBytes} are free. */
    public void fillLeaving(Path filler, long leaveBytes) throws IOException {
        long free = Files.getFileStore(dir).getUsableSpace();
        byte[] block = new byte[1 << 16];
        java.util.Arrays.fill(block, (byte) 0x5a);
        try (var out = Files.newOutputStream(filler)) {
            for (long written = 0; written + block.length <= free - leaveBytes; written += block.length) {
                out.write(block);
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        String result = run("umount", dir.toString());
        if (result != null) {
            result = run("umount", "-l", dir.toString());
        }
        if (result != null) {
            throw new IOException("cannot unmount " + dir + ": " + result);
        }
    }

    /** Runs a command; null if it succeeded, else its output and exit status. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : output + " (exit " + p.exitValue() + ")";
    }
}
