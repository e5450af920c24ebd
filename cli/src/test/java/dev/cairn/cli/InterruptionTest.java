package dev.cairn.cli;

import dev.cairn.store.ChildJvm;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands that write outside the store ({@code diff -o}, {@code checkout}) or stage into it ({@code import},
 * {@code stage}) run as real child processes and are sent SIGINT, SIGTERM or SIGKILL in the middle of writing: a
 * stopped one removes what it wrote and leaves the store as it was; what a killed one left is recognised by the next
 * run and replaced (outside the store) or discarded by recovery (inside). The children run interpreted
 * ({@code -Xint}) so that the writing lasts long enough on any machine to be caught in the middle.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class InterruptionTest {

    @TempDir
    Path dir;
    private CairnRun run;
    private String big;
    private String many;

    @BeforeEach
    void layers() throws IOException {
        run = new CairnRun(dir.resolve("store"));
        big = run.cairn("import", bigTar().toString(), "--name", "big").ok();
        many = run.cairn("import", manyFilesTar().toString(), "--name", "many").ok();
    }

    /** 24 files of 1 MiB of random bytes. */
    private Path bigTar() throws IOException {
        return randomTar("big.tar", 1);
    }

    /** 24 files of 1 MiB of random bytes from {@code seed}. */
    private Path randomTar(String name, long seed) throws IOException {
        Random random = new Random(seed);
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            byte[] content = new byte[1 << 20];
            for (int i = 0; i < 24; i++) {
                random.nextBytes(content);
                TarArchiveEntry e = new TarArchiveEntry("data/" + i);
                e.setSize(content.length);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    /** 4000 small files in 40 folders. */
    private Path manyFilesTar() throws IOException {
        Path file = dir.resolve("many.tar");
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (int i = 0; i < 4000; i++) {
                byte[] content = ("file " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                TarArchiveEntry e = new TarArchiveEntry("d" + i % 40 + "/f" + i);
                e.setSize(content.length);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    /** {@code cairn --root STORE args...} as a child JVM, interpreted, its output in files, stdin empty. */
    private Process start(String... args) throws IOException {
        return start(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")), args);
    }

    /** {@code cairn --root STORE args...} as a child JVM, interpreted, its output in files. */
    private Process start(ProcessBuilder.Redirect stdin, String... args) throws IOException {
        List<String> all = new java.util.ArrayList<>(List.of("--root", run.root().toString()));
        all.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(List.of(), List.of("-Xint"), Main.class,
                all.toArray(String[]::new)));
        pb.redirectInput(stdin);
        pb.redirectOutput(dir.resolve("child.out").toFile());
        pb.redirectError(dir.resolve("child.err").toFile());
        return pb.start();
    }

    private static void await(String what, BooleanSupplier condition, Process p) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!condition.getAsBoolean()) {
            assertThat(p.isAlive()).as("the child is still writing when %s", what).isTrue();
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(until);
            Thread.sleep(20);
        }
    }

    private static void signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    private static int exit(Process p) throws InterruptedException {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the child ended").isTrue();
        return p.exitValue();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long entries(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.count() - 1;
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    private String childErr() throws IOException {
        return Files.readString(dir.resolve("child.err"));
    }

    private List<Path> inDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().contains(".cairn-")).toList();
        }
    }

    /** The two layers, no staging, and a journal that verifies: what a command that only reads leaves. */
    private void assertTheStoreIsAsItWas() {
        assertThat(layerIds()).containsExactlyInAnyOrder(big, many);
        assertThat(stagings()).isEmpty();
        CairnRun.Result verify = run.cairn("verify");
        assertThat(verify.status()).as(verify.out() + verify.err()).isZero();
    }

    /** The store's layers, whole ids, as {@code cairn layers -q --no-trunc} prints them. */
    private List<String> layerIds() {
        CairnRun.Result r = run.cairn("layers", "-q", "--no-trunc");
        assertThat(r.status()).as(r.err()).isZero();
        return r.outLines();
    }

    /** The stagings {@code cairn stagings} lists, one line each. */
    private List<String> stagings() {
        CairnRun.Result r = run.cairn("stagings", "-q");
        assertThat(r.status()).as(r.err()).isZero();
        return r.outLines();
    }

    /** What is in the store's staging folder: nothing once every staging is discarded or cleaned up. */
    private List<Path> stagingFolders() throws IOException {
        Path staging = run.root().resolve("staging");
        if (!Files.exists(staging)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(staging)) {
            return s.toList();
        }
    }

    /** Writes {@code tar} into the child's stdin slowly, then holds the pipe open (the child waits for more). */
    private static Thread feeder(Process p, Path tar, long bytes) {
        Thread t = new Thread(() -> {
            try (var in = Files.newInputStream(tar)) {
                OutputStream to = p.getOutputStream();
                byte[] chunk = new byte[64 << 10];
                for (long sent = 0; sent < bytes; ) {
                    int n = in.read(chunk, 0, (int) Math.min(chunk.length, bytes - sent));
                    to.write(chunk, 0, n);
                    to.flush();
                    sent += n;
                }
                p.waitFor(); // the pipe stays open: the child's read waits
            } catch (IOException | InterruptedException e) {
                // the child ended and closed its end
            }
        }, "feeder");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            in.transferTo(new java.security.DigestOutputStream(OutputStream.nullOutputStream(), md));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aDiffStoppedMidWriteRemovesItsPartialFile(String signal) throws Exception {
        Path out = dir.resolve("out.tar");
        Path partial = dir.resolve(".out.tar.cairn-partial");
        Process p = start("diff", "big", "-o", out.toString());
        await("the partial file grows", () -> size(partial) > 1 << 20, p);

        signal(p, signal);

        assertThat(exit(p)).isEqualTo(signal.equals("INT") ? 130 : 143);
        assertThat(partial).doesNotExist();
        assertThat(out).doesNotExist();
        assertThat(inDir()).isEmpty();
        assertThat(childErr()).isEqualTo("cairn: interrupted; the partial file was removed\n");
        assertTheStoreIsAsItWas();
    }

    @Test
    void aDiffKilledMidWriteLeavesAPartialFileTheNextRunReplaces() throws Exception {
        Path out = dir.resolve("out.tar");
        Path partial = dir.resolve(".out.tar.cairn-partial");
        Process p = start("diff", "big", "-o", out.toString());
        await("the partial file grows", () -> size(partial) > 1 << 20, p);

        signal(p, "KILL");
        exit(p);
        assertThat(partial).exists();
        assertThat(out).doesNotExist();

        CairnRun.Result again = run.cairn("diff", "big", "-o", out.toString());

        assertThat(again.status()).as(again.err()).isZero();
        assertThat(again.err()).contains("replaced " + partial, "killed");
        assertThat(sha256(out)).isEqualTo(big);
        assertThat(partial).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aCheckoutStoppedMidWayRemovesItsTree(String signal) throws Exception {
        Path target = dir.resolve("tree");
        Process p = start("checkout", "many", target.toString());
        await("the tree grows", () -> entries(target) > 100, p);

        signal(p, signal);

        assertThat(exit(p)).isEqualTo(signal.equals("INT") ? 130 : 143);
        assertThat(target).doesNotExist();
        assertThat(inDir()).isEmpty();
        assertThat(childErr()).isEqualTo("cairn: interrupted; the partial tree was removed\n");
        assertTheStoreIsAsItWas();
    }

    @Test
    void aCheckoutStoppedMidWayEmptiesTheFolderItWasGiven() throws Exception {
        Path target = Files.createDirectory(dir.resolve("mine"));
        Process p = start("checkout", "many", target.toString());
        await("the tree grows", () -> entries(target) > 100, p);

        signal(p, "INT");

        assertThat(exit(p)).isEqualTo(130);
        assertThat(target).isEmptyDirectory();
        assertThat(inDir()).isEmpty();
    }

    @Test
    void aCheckoutKilledMidWayIsReplacedByTheNextOne() throws Exception {
        Path target = dir.resolve("tree");
        Process p = start("checkout", "many", target.toString());
        await("the tree grows", () -> entries(target) > 100, p);

        signal(p, "KILL");
        exit(p);
        assertThat(dir.resolve(".tree.cairn-checkout")).content().contains("incomplete");

        CairnRun.Result again = run.cairn("checkout", "many", target.toString());

        assertThat(again.status()).as(again.err()).isZero();
        assertThat(again.err()).contains("removed the incomplete tree a killed 'cairn checkout' left in " + target);
        assertThat(entries(target)).isEqualTo(4040);
        assertThat(inDir()).isEmpty();
    }

    @Test
    void aFolderOfTheUsersWithoutCairnsNoteIsNeverTakenForALeftover() throws Exception {
        Path mine = Files.createDirectory(dir.resolve("mine"));
        Files.writeString(mine.resolve("keep"), "mine");

        run.cairn("checkout", "many", mine.toString()).refused("not empty");

        assertThat(mine.resolve("keep")).hasContent("mine");
        assertThat(inDir()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void anImportStoppedWhileWaitingOnAPipeDiscardsItsStaging(String signal) throws Exception {
        Path tar = randomTar("other.tar", 2);
        List<String> before = layerIds();
        Process p = start(ProcessBuilder.Redirect.PIPE, "import", "-", "--name", "other");
        feeder(p, tar, Files.size(tar) / 2); // half the tarball, then the pipe stays open and empty
        await("the staging begins", () -> !stagings().isEmpty(), p);

        signal(p, signal);

        assertThat(exit(p)).isEqualTo(signal.equals("INT") ? 130 : 143);
        assertThat(childErr()).isEqualTo("cairn: interrupted; the unfinished import was undone\n");
        assertThat(Files.readString(dir.resolve("child.out"))).isEmpty();
        assertThat(layerIds()).isEqualTo(before);
        assertThat(stagings()).isEmpty();
        assertThat(stagingFolders()).isEmpty();
        assertThat(run.cairn("import", tar.toString(), "--name", "other").ok()).isNotEmpty();
        assertThat(stagings()).isEmpty();
    }

    @Test
    void anImportStoppedWhileReadingAFileDiscardsItsStaging() throws Exception {
        Path tar = randomTar("other.tar", 3);
        List<String> before = layerIds();
        Process p = start("import", tar.toString());
        await("the staging begins", () -> !stagings().isEmpty(), p);

        signal(p, "TERM");

        assertThat(exit(p)).isEqualTo(143);
        assertThat(childErr()).isEqualTo("cairn: interrupted; the unfinished import was undone\n");
        assertThat(layerIds()).isEqualTo(before);
        assertThat(stagings()).isEmpty();
        assertThat(stagingFolders()).isEmpty();
    }

    @Test
    void aStageStoppedMidWayDiscardsWhatItStaged() throws Exception {
        Path tar = randomTar("other.tar", 4);
        Process p = start(ProcessBuilder.Redirect.PIPE, "stage", "-");
        feeder(p, tar, Files.size(tar) / 2);
        await("the staging begins", () -> !stagings().isEmpty(), p);

        signal(p, "INT");

        assertThat(exit(p)).isEqualTo(130);
        assertThat(childErr()).isEqualTo("cairn: interrupted; the unfinished staging was discarded\n");
        assertThat(stagings()).isEmpty();
        assertThat(stagingFolders()).isEmpty();
    }

    @Test
    void anImportKilledMidWayLeavesAStagingTheNextImportDiscards() throws Exception {
        Path tar = randomTar("other.tar", 5);
        List<String> before = layerIds();
        Process p = start(ProcessBuilder.Redirect.PIPE, "import", "-", "--name", "other");
        feeder(p, tar, Files.size(tar) / 2);
        await("the staging begins", () -> !stagings().isEmpty(), p);

        signal(p, "KILL");
        exit(p);
        assertThat(layerIds()).isEqualTo(before);
        CairnRun.Result listed = run.cairn("stagings");
        assertThat(listed.out()).contains("abandoned", "(dead)");

        String id = run.cairn("import", tar.toString(), "--name", "other").ok();

        assertThat(layerIds()).hasSize(before.size() + 1).contains(id);
        assertThat(stagings()).isEmpty();
        assertThat(stagingFolders()).isEmpty();
        assertThat(run.cairn("log", "--json").out()).contains("StagingDiscarded");
    }
}
