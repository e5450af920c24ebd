package dev.cairn.cli;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code cairn --root ROOT ...} in this process through {@link Main#run}, as the command tests do, and makes the
 * small tarballs they import.
 */
final class CairnRun {

    /** What one command line did. */
    record Result(int status, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }

        /** Asserts the refusal contract: status 1, nothing on stdout, one line on stderr naming {@code mentions}. */
        Result refused(String... mentions) {
            assertThat(status).as("status; stderr: %s", err).isEqualTo(Main.FAILED);
            assertThat(out).isEmpty();
            assertThat(errLines()).hasSize(1);
            assertThat(errLines().get(0)).startsWith("cairn: ").doesNotContain("Exception").contains(mentions);
            return this;
        }

        /** Asserts a usage error: status 2, nothing on stdout, one line on stderr naming {@code mentions}. */
        Result usageError(String... mentions) {
            assertThat(status).as("status; stderr: %s", err).isEqualTo(Main.USAGE);
            assertThat(out).isEmpty();
            assertThat(errLines()).hasSize(1);
            assertThat(errLines().get(0)).startsWith("cairn: ").contains(mentions);
            return this;
        }

        /** Asserts success and returns stdout's first line. */
        String ok() {
            assertThat(status).as("status; stderr: %s", err).isZero();
            return outLines().isEmpty() ? "" : outLines().get(0);
        }
    }

    private final Path root;

    CairnRun(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** {@code cairn --root ROOT args...}. */
    Result cairn(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        return bare(all.toArray(String[]::new));
    }

    /** {@code cairn args...}, without a {@code --root} put first. */
    static Result bare(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Imports a tar of {@code namesAndContents} pairs into the store and returns the new layer's id. */
    String importTar(Path dir, String file, List<String> options, String... namesAndContents) throws IOException {
        Path tar = tar(dir.resolve(file), namesAndContents);
        List<String> args = new ArrayList<>(List.of("import", tar.toString()));
        args.addAll(options);
        return cairn(args.toArray(String[]::new)).ok();
    }

    /** A plain tar of {@code name, content} pairs; a name ending in {@code /} is a directory. */
    static Path tar(Path file, String... namesAndContents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int i = 0; i < namesAndContents.length; i += 2) {
                byte[] content = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(namesAndContents[i]);
                e.setSize(e.isDirectory() ? 0 : content.length);
                e.setMode(e.isDirectory() ? 040755 : 0100644);
                e.setModTime(1_700_000_000_000L);
                tar.putArchiveEntry(e);
                if (!e.isDirectory()) {
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            }
        }
        return Files.write(file, bytes.toByteArray());
    }
}
