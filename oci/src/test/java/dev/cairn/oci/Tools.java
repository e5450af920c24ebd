package dev.cairn.oci;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference tools the tests compare with, skopeo and umoci: run them, or skip the test saying why. Public for the
 * store's tests (the test-jar).
 */
public final class Tools {

    private Tools() {
    }

    /** Skips the calling test unless {@code tool} is on the PATH. */
    public static void require(String tool) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool));
        }
        assumeTrue(found, tool + " is not installed (apt-get install " + tool + "); the comparison is skipped");
    }

    /** {@code skopeo --insecure-policy ARGS}: the policy file is not what these tests are about. */
    public static String skopeo(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    public static String umoci(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("umoci"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** Runs a command; returns its stdout, or fails with its stderr. */
    public static String run(List<String> cmd) throws IOException, InterruptedException {
        Path err = Files.createTempFile("tool", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(cmd + " failed (" + p.exitValue() + "): " + Files.readString(err));
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
