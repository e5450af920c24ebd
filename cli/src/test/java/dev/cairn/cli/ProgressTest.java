package dev.cairn.cli;

import dev.cairn.store.ChildJvm;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The progress line: drawn on a terminal only, redrawn in place, ended with a newline. */
class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String drawn() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aKnownTotalGetsABarAPercentageAndARate() throws Exception {
        try (Progress p = Progress.start(true, err, "diff abc", Progress.Unit.BYTES, OptionalLong.of(4096))) {
            Thread.sleep(Progress.INTERVAL_MILLIS + 20);
            p.accept(2048);
        }

        assertThat(drawn()).startsWith("\rdiff abc  [############............]  50%  2.0 KiB / 4.0 KiB  ")
                .contains("/s").endsWith("\n");
    }

    @Test
    void entriesAreCountedAndTheTotalMayComeWithTheReport() throws Exception {
        try (Progress p = Progress.start(true, err, "checkout abc", Progress.Unit.ENTRIES, OptionalLong.empty())) {
            Thread.sleep(Progress.INTERVAL_MILLIS + 20);
            p.progress(10, 40);
        }

        assertThat(drawn()).contains("checkout abc  [######..................]  25%  10 entries / 40 entries")
                .doesNotContain("/s").endsWith("\n");
    }

    @Test
    void workDoneSoonerDrawsNothing() {
        try (Progress p = Progress.start(true, err, "import x", Progress.Unit.BYTES, OptionalLong.of(10))) {
            p.accept(10);
        }

        assertThat(drawn()).isEmpty();
    }

    @Test
    void offATerminalNothingIsEverDrawn() throws Exception {
        try (Progress p = Progress.start(false, err, "diff abc", Progress.Unit.BYTES, OptionalLong.of(4096))) {
            Thread.sleep(Progress.INTERVAL_MILLIS + 20);
            p.accept(2048);
        }

        assertThat(drawn()).isEmpty();
    }

    @TempDir
    Path dir;

    /**
     * The long commands draw their progress when stderr is a terminal: real {@code cairn} children on a terminal of
     * their own (made by {@code script}), interpreted ({@code -Xint}) so that the work outlasts the first redraw.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void everyLongCommandDrawsItsProgressOnATerminal() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs script (util-linux) for a terminal");
        CairnRun run = new CairnRun(dir.resolve("store"));
        String big = run.cairn("import", randomTar(dir.resolve("big.tar")).toString()).ok();
        String short12 = big.substring(0, 12);

        assertThat(onTerminal(run, "diff", big, "-o", dir.resolve("out.tar").toString()))
                .contains("\rdiff " + short12 + "  [").contains("%").contains("/s");
        String many = run.cairn("import", manyFilesTar(dir.resolve("many.tar")).toString()).ok();
        assertThat(onTerminal(run, "checkout", many, dir.resolve("tree").toString()))
                .contains("\rcheckout " + many.substring(0, 12) + "  ").contains(" entries");
        assertThat(onTerminal(run, "verify", "--deep")).contains("\rverifying layers  ");
        assertThat(onTerminal(run, "import", dir.resolve("big.tar").toString(), "--name", "again"))
                .contains("\rimporting big.tar  [");
    }

    /** 2 files of 1 MiB of random bytes: under -Xint, seconds of work for each command. */
    private static Path randomTar(Path file) throws IOException {
        Random random = new Random(7);
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            byte[] content = new byte[1 << 20];
            for (int i = 0; i < 2; i++) {
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

    /** 2000 small files in 20 folders: checkout counts entries. */
    private static Path manyFilesTar(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (int i = 0; i < 2000; i++) {
                byte[] content = ("file " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                TarArchiveEntry e = new TarArchiveEntry("d" + i % 20 + "/f" + i);
                e.setSize(content.length);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    /** What {@code cairn --root STORE args...} wrote to its terminal; it must succeed. */
    private static String onTerminal(CairnRun run, String... args) throws Exception {
        List<String> cairn = new ArrayList<>(List.of("--root", run.root().toString()));
        cairn.addAll(List.of(args));
        List<String> java = ChildJvm.command(List.of(), List.of("-Xint"), Main.class, cairn.toArray(String[]::new));
        Process p = new ProcessBuilder("/usr/bin/script", "-qec", String.join(" ", java.stream()
                .map(a -> "'" + a.replace("'", "'\\''") + "'").toList()), "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectErrorStream(true).start();
        byte[] seen = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        p.getOutputStream().close();
        String text = new String(seen, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }
}
