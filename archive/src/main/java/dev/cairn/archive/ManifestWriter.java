package dev.cairn.archive;

import dev.cairn.model.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Writes a {@link Manifest} line by line while a layer is extracted. The file is created new (never through a
 * symlink) and is complete, checksummed and fsynced (unless told not to) only after {@link #finish}. Single-threaded.
 */
final class ManifestWriter implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final OutputStream out;
    private final MessageDigest sha256 = Digest.newSha256();
    private long count;

    private ManifestWriter(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        writeHashed(Manifest.headerLine());
    }

    /** Creates {@code file}, which must not exist, and writes the header. */
    static ManifestWriter create(Path file) throws IOException {
        return new ManifestWriter(file);
    }

    void add(Manifest.Entry entry) throws IOException {
        writeHashed(Manifest.formatLine(entry));
        count++;
    }

    /** Writes the end line and, if {@code sync}, forces the file and its directory to disk. */
    void finish(boolean sync) throws IOException {
        out.write(Manifest.trailerLine(count, Digest.ofBytes(sha256.digest())).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        if (sync) {
            channel.force(true);
        }
        channel.close();
        Path parent = file.toAbsolutePath().getParent();
        if (sync && parent != null) {
            Syncer.syncDirectory(parent);
        }
    }

    private void writeHashed(String line) throws IOException {
        byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
        sha256.update(bytes);
        out.write(bytes);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
