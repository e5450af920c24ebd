package dev.cairn.cli;

import dev.cairn.store.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Opening the store: a refusal names the real cause (no store, permission denied, a root that is a file). */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StoreCommandTest {

    @TempDir
    Path dir;

    @Test
    void aRootThatIsAFileIsSaidToBeOneForQueriesAndWrites() throws Exception {
        Path file = Files.writeString(dir.resolve("afile"), "not a store");
        CairnRun run = new CairnRun(file);

        run.cairn("layers").refused("the store root " + file + " is a file, not a folder");
        run.cairn("create").refused("the store root " + file + " is a file, not a folder");
        assertThat(file).hasContent("not a store");
    }

    @Test
    void aQueryOnAStoreThisUserMayNotReadSaysPermissionDeniedNotNoStore() throws Exception {
        CairnRun run = new CairnRun(dir.resolve("store"));
        run.cairn("create", "--name", "x").ok();
        Path store = run.root();
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(store);
        Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("---------"));
        try {
            List<String> command = new ArrayList<>();
            if (isRoot()) {
                assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                        "needs setpriv (util-linux) to run a child without root's CAP_DAC_OVERRIDE");
                // root without the capabilities that let it read what its modes forbid: any other user
                command.addAll(List.of("/usr/bin/setpriv", "--bounding-set", "-dac_override,-dac_read_search"));
            }
            command.addAll(ChildJvm.command(List.of(), List.of(), Main.class, "--root", store.toString(), "layers"));
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                    "/dev/null"))).redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

            assertThat(p.exitValue()).as(err).isEqualTo(Main.FAILED);
            assertThat(out).isEmpty();
            assertThat(err).startsWith("cairn: ").contains("permission denied", store.toString())
                    .doesNotContain("no Cairn store").hasLineCount(1);
        } finally {
            Files.setPosixFilePermissions(store, mode);
        }
        assertThat(run.cairn("names", "x").ok()).isEqualTo("x");
    }

    @Test
    void importFromATerminalSaysWhatItWaitsFor() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs script (util-linux) for a terminal");
        List<String> java = ChildJvm.command(List.of(), List.of(), Main.class, "--root", dir.resolve("store").toString(),
                "import", "-");
        // script runs the command on a new terminal (stdin, stdout and stderr), and ends its input when ours ends
        Process p = new ProcessBuilder("/usr/bin/script", "-qec", String.join(" ", java.stream()
                .map(a -> "'" + a.replace("'", "'\\''") + "'").toList()), "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!seen.toString().contains("waiting for a layer tarball") && System.nanoTime() < until) {
            int c = out.read();
            if (c < 0) {
                break;
            }
            seen.append((char) c);
        }
        p.getOutputStream().write(4); // Ctrl-D: the end of the input typed at the terminal
        p.getOutputStream().flush();
        p.getOutputStream().close();
        for (int c = out.read(); c >= 0; c = out.read()) {
            seen.append((char) c);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(seen.toString()).contains("cairn: waiting for a layer tarball on stdin, which is a terminal")
                .contains("not a tar archive: the input is empty");
        assertThat(p.exitValue()).isEqualTo(Main.FAILED);
    }

    private static boolean isRoot() throws Exception {
        Process id = new ProcessBuilder("id", "-u").start();
        return new String(id.getInputStream().readAllBytes()).trim().equals("0");
    }
}
