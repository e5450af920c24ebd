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
public final class TestTars {

    /** A fixed mtime: the same seed must give the same bytes (and DiffID) whenever it is called. */
    private static final java.util.Date MTIME = new java.util.Date(1_700_000_000_000L);

    private TestTars() {
    }

    /** A gzip tar with a directory and {@code files} files of pseudo-random content drawn from {@code seed}. */
    public static byte[] layer(long seed, int files) {
        Random r = new Random(seed);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(raw);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry dir = new TarArchiveEntry("dir-" + seed + "/");
            dir.setMode(040755);
            dir.setModTime(MTIME);
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            for (int i = 0; i < files; i++) {
                byte[] content = new byte[r.nextInt(4096)];
                r.nextBytes(content);
                TarArchiveEntry e = new TarArchiveEntry("dir-" + seed + "/file-" + i);
                e.setSize(content.length);
                e.setMode(0100644);
                e.setModTime(MTIME);
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

    /**
     * A plain tar whose one file has a name too long for the ustar header, so that it is written as a PAX
     * {@code path} record: {@code name} followed by enough characters to need one.
     */
    static byte[] withPaxPath(String name) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(raw, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry e = new TarArchiveEntry(name + "-" + "x".repeat(120), true);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return raw.toByteArray();
    }
}
