package dev.cairn.cli;

import dev.cairn.model.Layer;
import dev.cairn.store.LayerStore;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn diff}: a layer's original tar, byte for byte. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Writes a layer's original tar, byte for byte, to stdout or a file.",
                "The uncompressed tar as it was imported: its sha256 is the layer's diffDigest.",
                "With -o FILE the tar is written to .FILE.cairn-partial beside it and renamed to FILE when complete, "
                        + "so FILE is never half-written: on an error or Ctrl-C (SIGINT, SIGTERM) nothing is left, "
                        + "and a partial file a killed run left is replaced by the next run. Every file read is "
                        + "checked against the layer's record; on a mismatch the exit status is 1."})
final class DiffCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "REF", description = LayerRefs.ONE)
    String layer;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the tar to FILE (replaced only when complete) instead of stdout; - is stdout.")
    String output;

    @Override
    public Integer call() throws Exception {
        boolean toStdout = output == null || output.equals("-");
        if (toStdout && main.stdoutIsTerminal()) {
            main.err().println("cairn: refusing to write a tar to a terminal; redirect stdout or use -o FILE");
            return Main.FAILED;
        }
        try (LayerStore store = openForReading()) {
            Layer l = store.layer(layer);
            String id = l.id().hex();
            try (Progress progress = Progress.start(main.terminal(), main.err(), "diff " + l.id().hex()
                    .substring(0, 12), Progress.Unit.BYTES, OptionalLong.of(l.diffSize()))) {
                if (toStdout) {
                    store.diff(id, new Counting(out(), progress));
                    out().flush();
                    return Main.OK;
                }
                writeFile(store, id, target(Path.of(output)), progress);
            }
        }
        return Main.OK;
    }

    /** {@code -o}'s file, refused when it cannot be one: a directory, or a folder that does not exist. */
    private static Path target(Path given) throws IOException {
        Path target = given.toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            throw new FileSystemException(given.toString(), null,
                    "is a directory; -o names the file to write the tar to");
        }
        Path folder = target.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new NoSuchFileException(String.valueOf(folder), null, "no such folder to write " + given + " in");
        }
        return target;
    }

    private void writeFile(LayerStore store, String id, Path target, Progress progress) throws IOException {
        try (Interruption.Guard guard = Interruption.guard("the partial file was removed");
             PartialOutput partial = PartialOutput.claim(PartialOutput.besides(target, PartialOutput.FILE_SUFFIX))) {
            guard.onTimeout(partial::removeQuietly);
            if (partial.leftover() != null) {
                note("replaced " + partial.path() + ", which a killed 'cairn diff' left");
            }
            OutputStream file = new BufferedOutputStream(Channels.newOutputStream(partial.channel()), 1 << 16);
            store.diff(id, new Counting(file, progress));
            file.flush();
            partial.commitTo(target);
            guard.finished();
        }
    }

    /** Tells progress the bytes written so far (which also stops the write on Ctrl-C). */
    private static final class Counting extends FilterOutputStream {
        private final Progress progress;
        private long written;

        Counting(OutputStream out, Progress progress) {
            super(out);
            this.progress = progress;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            progress.accept(++written);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written += len;
            progress.accept(written);
        }
    }
}
