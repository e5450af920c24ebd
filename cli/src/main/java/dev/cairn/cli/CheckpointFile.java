package dev.cairn.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The options that name a kept checkpoint and the key to trust it by, shared by {@code verify} and {@code prove}.
 */
final class CheckpointFile {

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "A checkpoint kept earlier: the signed note cairn checkpoint printed.")
    Path file;

    @Option(names = "--key", paramLabel = "VKEY|FILE",
            description = {"The verifier key to check the checkpoint's signature with, or a file holding it "
                    + "(default: the store's own, <root>/keys/checkpoint.pub).",
                    "An auditor passes the key they were given when they started to trust the store."})
    String key;

    /** The kept checkpoint's bytes; null when none was named. */
    byte[] note() throws IOException {
        return file == null ? null : Files.readAllBytes(file);
    }

    /** The trusted key's text, from the option or the file it names; null for the store's own. */
    String trustedKey() throws IOException {
        if (key == null) {
            return null;
        }
        Path asFile = Path.of(key);
        return key.indexOf('\n') < 0 && Files.isRegularFile(asFile)
                ? Files.readString(asFile, StandardCharsets.UTF_8) : key;
    }

    /** How the key was chosen, for the report line. */
    String keyOrigin(boolean storesOwn) {
        return storesOwn ? "the store's own key: pass --key with the one you were given to check against it"
                : "the key given with --key";
    }
}
