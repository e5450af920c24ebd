package dev.cairn.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code cairn --root ROOT ...} in this process and keeps what it printed, for the command tests. */
final class CliRun {

    /** What one command line did. */
    record Result(int status, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    private CliRun() {
    }

    static Result cairn(Path root, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        int status = Main.run(all.toArray(String[]::new), InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Makes empty layers named {@code layer-<from>} to {@code layer-<to>}: two journal records each. */
    static void addLayers(Path root, int from, int to) {
        for (int i = from; i <= to; i++) {
            Result r = cairn(root, "create", "--name", "layer-" + i);
            if (r.status() != Main.OK) {
                throw new AssertionError("cairn create failed: " + r.err());
            }
        }
    }

    /**
     * Makes {@code layers} layers in the store at {@code root}, signs a checkpoint of it and keeps it in
     * {@code <root>/../kept.checkpoint}.
     *
     * @return the kept checkpoint's file
     */
    static Path storeWithCheckpoint(Path root, int layers) throws IOException {
        addLayers(root, 1, layers);
        Result c = cairn(root, "checkpoint");
        if (c.status() != Main.OK) {
            throw new AssertionError("cairn checkpoint failed: " + c.err());
        }
        return Files.writeString(root.resolveSibling("kept.checkpoint"), c.out());
    }
}
