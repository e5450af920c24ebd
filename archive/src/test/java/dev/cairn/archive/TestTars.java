package dev.cairn.archive;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds tar archives for tests, entry by entry, with commons-compress. */
final class TestTars {
    static final Instant MTIME = Instant.parse("2020-01-02T03:04:05Z");

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    TestTars() {
        tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    static TestTars tar() {
        return new TestTars();
    }

    TestTars file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    TestTars file(String name, byte[] content, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        e.setMode(mode);
        e.setModTime(MTIME.toEpochMilli());
        return put(e, content);
    }

    TestTars dir(String name, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        e.setMode(mode);
        e.setModTime(MTIME.toEpochMilli());
        return put(e, null);
    }

    TestTars symlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        e.setModTime(MTIME.toEpochMilli());
        return put(e, null);
    }

    TestTars hardlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        return put(e, null);
    }

    TestTars entry(TarArchiveEntry e, byte[] content) {
        return put(e, content);
    }

    private TestTars put(TarArchiveEntry e, byte[] content) {
        try {
            tar.putArchiveEntry(e);
            if (content != null) {
                tar.write(content);
            }
            tar.closeArchiveEntry();
            return this;
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    /** The finished archive: entries, two zero blocks, padded to commons-compress's record size. */
    byte[] bytes() {
        try {
            tar.close();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return out.toByteArray();
    }

    static byte[] zstd(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZstdOutputStream z = new ZstdOutputStream(out)) {
            z.write(plain);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return out.toByteArray();
    }

    /** Go's archive/tar test vectors from ../shared (relative to the module); one absent path when missing. */
    static java.util.stream.Stream<java.nio.file.Path> sharedTars() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("../../shared/testdata/tar");
        if (!java.nio.file.Files.isDirectory(dir)) {
            return java.util.stream.Stream.of(dir.resolve("absent.tar"));
        }
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".tar")).sorted().toList().stream();
        }
    }

    /**
     * Vectors GNU tar lists but Cairn refuses on purpose, where Go's archive/tar (and so containers/storage) refuses
     * them too: two tar readers would read them differently.
     */
    static final java.util.Set<String> REFUSED_THOUGH_GNU_TAR_LISTS = java.util.Set.of(
            "pax-nul-path.tar"); // a PAX path with a NUL byte: GNU tar cuts the name there, Go refuses it

    /**
     * Whether Cairn must accept {@code tar}: GNU tar, the judge of which vectors are well formed, lists it without
     * error, and it is not one of {@link #REFUSED_THOUGH_GNU_TAR_LISTS}.
     */
    static boolean acceptable(java.nio.file.Path tar) throws Exception {
        return gnuTarLists(tar) && !REFUSED_THOUGH_GNU_TAR_LISTS.contains(tar.getFileName().toString());
    }

    /** Whether GNU tar itself lists {@code tar} without error. */
    static boolean gnuTarLists(java.nio.file.Path tar) throws Exception {
        Process p = new ProcessBuilder("tar", "-tf", tar.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
