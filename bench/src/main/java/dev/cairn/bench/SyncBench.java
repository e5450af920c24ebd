package dev.cairn.bench;

import dev.cairn.io.Posix;
import dev.cairn.archive.ExtractOptions;
import dev.cairn.archive.LayerExtractor;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * How to make a freshly extracted layer durable, the three ways of {@code ExtractOptions}: an fsync per file and
 * directory on the extractor's pool ({@code syncfs(false)}), one {@code syncfs(2)} after the layer is written (the
 * default), and no sync at all (unsafe: the floor). Extracts the same 7,000-file tar into a folder of DIR (on the
 * file system to measure), the three ways in turn, ROUNDS times, and prints each run's wall time and the medians.
 * With DIRTY_MIB, each timed run follows another writer's DIRTY_MIB of unsynced data on the same file system (what a
 * small import meets right after a big one): the case where one syncfs pays for everyone's dirty pages.
 * {@code java -cp ... dev.cairn.bench.SyncBench DIR [ROUNDS] [FILES] [DIRTY_MIB]}. Results: docs/RELIABILITY.md and
 * docs/BENCHMARKS.md.
 */
public final class SyncBench {

    private SyncBench() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int files = args.length > 2 ? Integer.parseInt(args[2]) : 7000;
        dirtyMib = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        byte[] tar = tar(files);
        System.out.printf("tar: %d files, %d bytes; fs of %s; %d MiB of another writer's dirty data before each%n",
                files, tar.length, dir, dirtyMib);
        List<Long> perFile = new ArrayList<>();
        List<Long> syncfs = new ArrayList<>();
        List<Long> none = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            perFile.add(run(dir, tar, "fsync per file (pool)", ExtractOptions.DEFAULTS.toBuilder().syncfs(false)
                    .build()));
            syncfs.add(run(dir, tar, "one syncfs (default)", ExtractOptions.DEFAULTS));
            none.add(run(dir, tar, "no sync at all (unsafe)", ExtractOptions.DEFAULTS.toBuilder().unsafeNoSync(true)
                    .build()));
        }
        System.out.printf("median ms: fsync per file %d, syncfs %d, none %d (syncfs reports errors here: %b)%n",
                median(perFile), median(syncfs), median(none), Posix.syncfsReportsErrors());
    }

    private static int dirtyMib;

    private static long run(Path dir, byte[] tar, String what, ExtractOptions options) throws IOException {
        Path target = Files.createTempDirectory(dir, "syncbench-");
        Files.createDirectory(target.resolve("diff"));
        Path other = dir.resolve("syncbench-other-writer");
        Files.deleteIfExists(other);
        Posix.syncfs(dir); // start every run from a clean file system
        if (dirtyMib > 0) {
            byte[] block = new byte[1 << 20];
            new Random(1).nextBytes(block);
            try (java.io.OutputStream out = Files.newOutputStream(other)) {
                for (int i = 0; i < dirtyMib; i++) {
                    out.write(block);
                }
            }
        }
        long t0 = System.nanoTime();
        LayerExtractor.extract(new ByteArrayInputStream(tar), target.resolve("diff"), target.resolve("manifest"),
                options);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("%-26s %6d ms%n", what, ms);
        remove(target);
        Files.deleteIfExists(other);
        return ms;
    }

    /** A plain tar like a real image layer: FILES files in up to 100 folders, sizes 0..16 KiB (7,000: about 56 MB). */
    private static byte[] tar(int files) throws IOException {
        Random r = new Random(7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            int dirs = Math.min(100, files);
            for (int d = 0; d < dirs; d++) {
                TarArchiveEntry e = new TarArchiveEntry("d" + d + "/");
                e.setMode(040755);
                t.putArchiveEntry(e);
                t.closeArchiveEntry();
            }
            for (int i = 0; i < files; i++) {
                byte[] content = new byte[r.nextInt(16 * 1024)];
                r.nextBytes(content);
                TarArchiveEntry e = new TarArchiveEntry("d" + (i % dirs) + "/f" + i);
                e.setSize(content.length);
                e.setMode(0100644);
                t.putArchiveEntry(e);
                t.write(content);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    private static void remove(Path p) throws IOException {
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
