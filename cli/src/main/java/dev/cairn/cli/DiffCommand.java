package dev.cairn.cli;

import dev.cairn.store.LayerStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn diff}: a layer's original tar, byte for byte. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Writes a layer's original uncompressed tar, byte for byte (its sha256 is the layer's "
                + "diffDigest), to stdout or to a file.",
                "Every file read is checked against the layer's record; on a mismatch nothing is left at FILE and "
                        + "the exit status is 1."})
final class DiffCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "ID|NAME", description = "The layer's id or one of its names.")
    String layer;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the tar to FILE (replaced only when complete) instead of stdout.")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (output == null && main.stdoutIsTerminal()) {
            main.err().println("cairn: refusing to write a tar to a terminal; redirect stdout or use -o FILE");
            return Main.FAILED;
        }
        try (LayerStore store = openForReading()) {
            if (output == null) {
                store.diff(layer, out());
                out().flush();
                return Main.OK;
            }
            Path target = output.toAbsolutePath();
            Path partial = target.resolveSibling("." + target.getFileName() + ".cairn-partial");
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS); OutputStream file = new BufferedOutputStream(
                            Channels.newOutputStream(ch), 1 << 16)) {
                store.diff(layer, file);
                file.flush();
                ch.force(true);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(partial);
                throw e;
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return Main.OK;
    }
}
