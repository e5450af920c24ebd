package dev.cairn.cli;

import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The tarball a command reads: a file, or stdin for {@code -}. Stdin is not closed by {@link #close()}; a file is.
 * Either can be {@linkplain #abort() aborted} from another thread, which ends a read that waits on it (a pipe that
 * is slow to fill) with an {@code IOException}: the process's own stdin is read through a {@code FileChannel} for
 * that, since a blocked read of {@code System.in} cannot be ended.
 *
 * @param label  how progress names it
 * @param stream its bytes
 * @param size   its length when known in advance (a regular file)
 * @param stdin  whether it is stdin ({@code -})
 * @param source what {@link #abort()} closes
 */
record LayerInput(String label, InputStream stream, OptionalLong size, boolean stdin, Closeable source)
        implements AutoCloseable {

    /** The {@code FILE|-} argument of {@code import} and {@code stage}. */
    static final String PARAM_LABEL = "FILE|-";

    static LayerInput open(String fileOrDash, InputStream stdin) throws IOException {
        if (fileOrDash.equals("-")) {
            InputStream s = stdin;
            Closeable source = stdin;
            if (stdin == System.in) { // nothing has read it yet, so nothing is buffered in it
                FileChannel ch = new FileInputStream(FileDescriptor.in).getChannel();
                s = Channels.newInputStream(ch);
                source = ch;
            }
            return new LayerInput("stdin", new FilterInputStream(s) {
                @Override
                public void close() {
                    // stdin belongs to the process
                }
            }, OptionalLong.empty(), true, source);
        }
        Path file = Path.of(fileOrDash);
        if (Files.isDirectory(file)) {
            throw new IOException(fileOrDash + ": is a directory, not a tarball");
        }
        InputStream s = Files.newInputStream(file);
        OptionalLong size = Files.isRegularFile(file) ? OptionalLong.of(Files.size(file)) : OptionalLong.empty();
        Path name = file.getFileName();
        return new LayerInput(name == null ? fileOrDash : name.toString(), s, size, false, s);
    }

    /** The same refusal, its message starting with this input's name: the one line says which file it was. */
    dev.cairn.model.CorruptArchiveException named(dev.cairn.model.CorruptArchiveException e) {
        return new dev.cairn.model.CorruptArchiveException(label + ": " + e.getMessage(), e);
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }

    /** Closes the input under whatever reads it, from any thread: that read, and every later one, fails. */
    void abort() {
        try {
            source.close();
        } catch (IOException e) {
            // it is closed as far as it can be
        }
    }
}
