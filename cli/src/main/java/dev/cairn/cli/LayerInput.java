package dev.cairn.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The tarball a command reads: a file, or stdin for {@code -}. Stdin is never closed by this class; a file is.
 *
 * @param label  how progress names it
 * @param stream its bytes
 * @param size   its length when known in advance (a regular file)
 * @param stdin  whether it is stdin ({@code -})
 */
record LayerInput(String label, InputStream stream, OptionalLong size, boolean stdin) implements AutoCloseable {

    /** The {@code FILE|-} argument of {@code import} and {@code stage}. */
    static final String PARAM_LABEL = "FILE|-";

    static LayerInput open(String fileOrDash, InputStream stdin) throws IOException {
        if (fileOrDash.equals("-")) {
            return new LayerInput("stdin", new FilterInputStream(stdin) {
                @Override
                public void close() {
                    // stdin belongs to the process
                }
            }, OptionalLong.empty(), true);
        }
        Path file = Path.of(fileOrDash);
        if (Files.isDirectory(file)) {
            throw new IOException(fileOrDash + ": is a directory, not a tarball");
        }
        InputStream s = Files.newInputStream(file);
        OptionalLong size = Files.isRegularFile(file) ? OptionalLong.of(Files.size(file)) : OptionalLong.empty();
        Path name = file.getFileName();
        return new LayerInput(name == null ? fileOrDash : name.toString(), s, size, false);
    }

    /** The same refusal, its message starting with this input's name: the one line says which file it was. */
    dev.cairn.model.CorruptArchiveException named(dev.cairn.model.CorruptArchiveException e) {
        return new dev.cairn.model.CorruptArchiveException(label + ": " + e.getMessage(), e);
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
