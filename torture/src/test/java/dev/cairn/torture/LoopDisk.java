package dev.cairn.torture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real ext4 file system in an image file, mounted through a loop device, whose power can be cut.
 *
 * <p>The image file is the disk: it holds exactly the writes the kernel has sent to the device. Writes a program
 * has not fsynced sit in the page cache of the mounted file system, and the kernel sends them only when it writes
 * dirty pages back — after 30 seconds by default — or when something is synced. The file system is mounted with
 * {@code commit=300}, so ext4's own journal commits only when a program syncs, not every 5 seconds. A copy of the
 * image taken right after the writing process was killed is therefore what the disk would hold had the power gone
 * at that instant: fsynced data and the directory entries whose directory was fsynced are there; data written
 * without fsync is missing (ext4 shows such a file empty), like Lucene's {@code MockDirectoryWrapper} forgetting
 * unsynced writes, but done by the kernel itself. {@link #cutPower} takes that copy, throws the page cache away
 * with the old mount and mounts the copy in its place (mounting replays ext4's journal, as a reboot would).
 *
 * <p>Needs root, {@code mkfs.ext4}, {@code mount} and a free loop device; {@link #unavailable()} says why not.
 */
final class LoopDisk implements AutoCloseable {

    private static final String OPTIONS = "loop,commit=300";

    private final Path image;
    private final Path mountPoint;
    private boolean mounted;

    private LoopDisk(Path image, Path mountPoint) {
        this.image = image;
        this.mountPoint = mountPoint;
    }

    /** Why a loop-mounted file system cannot be had here, or empty if it can. */
    static Optional<String> unavailable(Path scratch) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("mounting a loop file system needs root");
        }
        for (String tool : List.of("mkfs.ext4", "mount", "umount", "losetup")) {
            if (!onPath(tool)) {
                return Optional.of(tool + " is not installed");
            }
        }
        try (LoopDisk probe = create(scratch.resolve("probe.img"), scratch.resolve("probe"), 16L << 20)) {
            Files.writeString(probe.root().resolve("x"), "x");
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot mount a loop file system here: " + e.getMessage());
        }
    }

    /** Makes an ext4 file system of {@code bytes} (sparse) in {@code image} and mounts it at {@code mountPoint}. */
    static LoopDisk create(Path image, Path mountPoint, long bytes) throws IOException {
        Files.createDirectories(mountPoint);
        run("truncate", "-s", Long.toString(bytes), image.toString());
        run("mkfs.ext4", "-q", "-F", image.toString());
        LoopDisk disk = new LoopDisk(image, mountPoint);
        disk.mount();
        return disk;
    }

    /** The mounted file system. */
    Path root() {
        return mountPoint;
    }

    /**
     * Cuts the power: copies the disk as it is now (only what the kernel has written to it), unmounts the old file
     * system — its page cache, with every unsynced write, goes to an image nobody reads again — and mounts the copy
     * in its place. Call it only when no process has files open on the disk.
     */
    void cutPower() throws IOException {
        Path cut = image.resolveSibling(image.getFileName() + ".cut");
        run("cp", "--sparse=always", image.toString(), cut.toString());
        unmount();
        Files.move(cut, image, StandardCopyOption.REPLACE_EXISTING);
        mount();
    }

    @Override
    public void close() throws IOException {
        try {
            unmount();
        } finally {
            Files.deleteIfExists(image);
        }
    }

    private void mount() throws IOException {
        run("mount", "-o", OPTIONS, image.toString(), mountPoint.toString());
        mounted = true;
    }

    private void unmount() throws IOException {
        if (mounted) {
            run("umount", mountPoint.toString()); // a loop device set up by mount is detached with it
            mounted = false;
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + cmd[0], e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        }
    }
}
