package dev.cairn.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;

/** Runs external commands (the GNU tar peer, rm, sync) with their output discarded. */
final class Commands {

    private Commands() {
    }

    /** Runs {@code command} to its end and returns its exit status. */
    static int run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + command);
        }
    }

    /** Runs {@code command} and fails unless it exits with 0. */
    static void check(List<String> command) throws IOException {
        int status = run(command);
        if (status != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + status);
        }
    }
}
