package dev.cairn.store;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Layer tarballs made by the tests themselves. */
final class TestTars {

    private TestTars() {
    }

    /** A gzip tar with a directory and {@code files} files of pseudo-random content drawn from {@code seed}. */
    static byte[] layer(long seed, int files) {
        Random r = new Random(seed);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(raw);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry dir = new TarArchiveEntry("dir-" + seed + "/");
            dir.setMode(040755);
            dir.setModTime(1_600_000_000_000L); // not "now": the same seed must give the same DiffID
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            for (int i = 0; i < files; i++) {
                byte[] content = new byte[r.nextInt(4096)];
                r.nextBytes(content);
                TarArchiveEntry e = new TarArchiveEntry("dir-" + seed + "/file-" + i);
                e.setSize(content.length);
                e.setMode(0100644);
                e.setModTime(1_600_000_000_000L);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return raw.toByteArray();
    }

    /** A plain tar whose one entry tries to write outside its layer. */
    static byte[] escaping() {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(raw)) {
            byte[] content = "owned".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry ok = new TarArchiveEntry("fine.txt");
            ok.setSize(content.length);
            tar.putArchiveEntry(ok);
            tar.write(content);
            tar.closeArchiveEntry();
            TarArchiveEntry bad = new TarArchiveEntry("a/../../escaped.txt", true);
            bad.setSize(content.length);
            tar.putArchiveEntry(bad);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return raw.toByteArray();
    }
}
