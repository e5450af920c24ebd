package dev.cairn.archive;

import dev.cairn.model.CairnException;
import dev.cairn.model.CorruptArchiveException;
import dev.cairn.model.Digest;
import dev.cairn.model.UnsafeArchiveException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Extracts a layer's tar stream (plain, gzip or zstd) into an empty directory, in one pass that also computes the
 * layer's digests and writes its {@link Manifest}.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>Nothing is written outside {@code target}: names are cleaned (leading {@code /} and {@code ./} dropped, a
 *     {@code ..} that would leave the target refused), nothing is written or hardlinked through a symlink, and a
 *     hardlink must name a regular file extracted before it. Symlink targets are data and may point anywhere.
 *     An entry breaking these rules fails the whole extraction with {@link UnsafeArchiveException}.</li>
 * <li>A later entry for the same path replaces the earlier one; a directory over a directory merges.</li>
 * <li>Regular files, directories, symlinks and hardlinks are created with their mode (including setuid, setgid
 *     and sticky where the kernel allows) and times. Whiteouts ({@code .wh.*}) are ordinary files here. Fifos and
 *     devices are recorded in the manifest but not created yet; owners and xattrs are recorded, not applied.</li>
 * <li>Names are decoded as UTF-8; bytes that are not UTF-8 become U+FFFD (a JDK limitation until a POSIX
 *     file-system layer exists), so two names differing only there collide and the later wins.</li>
 * <li>Unless {@link ExtractOptions#unsafeNoSync()}, every file, directory and the manifest are fsynced before
 *     this returns.</li>
 * <li>On any failure, everything extract created under {@code target} and the manifest file are removed before
 *     the exception is thrown; {@code target} itself (empty) is left for the caller. A failure to clean up is
 *     attached as a suppressed exception.</li>
 * <li>Errors: {@link CorruptArchiveException} for input that is not a readable tar (truncated, garbage, an
 *     unaccepted compression, a bad header), {@link UnsafeArchiveException} for unsafe entries and exceeded limits,
 *     plain {@link IOException}s for failures of the input stream or the file system.</li>
 * </ul>
 * The input stream is read to its end but not closed. Thread-safe: calls share no state; each call uses one reader
 * thread and the fsync threads of {@link ExtractOptions#fsyncParallelism()}, all ended before it returns (a reader
 * blocked in the caller's stream is waited for).
 */
public final class LayerExtractor {

    private LayerExtractor() {
    }

    /**
     * Extracts {@code raw} into {@code target} and writes the manifest to {@code manifest}.
     *
     * @param raw      the layer bytes as received; read to the end, not closed
     * @param target   an existing empty directory, e.g. {@code <root>/staging/<sid>/diff}
     * @param manifest the manifest file to create; must not exist, e.g. {@code <root>/staging/<sid>/manifest}
     * @param options  limits, durability and progress
     */
    public static ExtractResult extract(InputStream raw, Path target, Path manifest, ExtractOptions options)
            throws IOException {
        requireEmptyDirectory(target);
        Syncer syncer = Syncer.create(options);
        LayerTree tree = new LayerTree(target, syncer);
        TarStreamPump pump = TarStreamPump.start(raw, options.maxDiffSize());
        ManifestWriter writer = null;
        try {
            writer = ManifestWriter.create(manifest);
            ExtractResult result = new Run(pump, tree, writer, options).extract();
            syncer.finish();
            writer.finish(!options.unsafeNoSync());
            options.progress().accept(result.compressedSize());
            return result;
        } catch (Throwable e) {
            pump.close();
            cleanUp(e, syncer, tree, writer, manifest);
            throw e;
        } finally {
            pump.close();
        }
    }

    private static void cleanUp(Throwable failure, Syncer syncer, LayerTree tree, ManifestWriter writer,
                                Path manifest) {
        try {
            syncer.finish();
        } catch (IOException e) {
            // the extraction failed anyway; its files are deleted next
        }
        try {
            if (writer != null) {
                writer.close();
                Files.deleteIfExists(manifest);
            }
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        try {
            tree.removeAll();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static void requireEmptyDirectory(Path target) throws IOException {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotDirectoryException(target.toString());
        }
        try (Stream<Path> children = Files.list(target)) {
            if (children.findAny().isPresent()) {
                throw new DirectoryNotEmptyException(target.toString());
            }
        }
    }

    /** One extraction's loop over the tar entries. */
    private static final class Run {
        private final TarStreamPump pump;
        private final LayerTree tree;
        private final ManifestWriter writer;
        private final ExtractOptions options;
        private final PushbackInputStream tarIn;
        private BoundedTarInputStream tar;
        private String entryName;
        private boolean inContent;
        private long lastProgress = -1;
        private long fileBytes;

        Run(TarStreamPump pump, LayerTree tree, ManifestWriter writer, ExtractOptions options) {
            this.pump = pump;
            this.tree = tree;
            this.writer = writer;
            this.options = options;
            this.tarIn = new PushbackInputStream(pump.tarStream(), 512);
        }

        ExtractResult extract() throws IOException {
            byte[] head = new byte[512];
            int n = readTar(() -> tarIn.readNBytes(head, 0, head.length));
            String notTar = CompressionSniffer.whyNotTar(head, n);
            if (notTar != null) {
                throw new CorruptArchiveException(pump.compression() == dev.cairn.model.Compression.NONE ? notTar
                        : notTar + " (after " + pump.compression().label() + " decompression)");
            }
            tarIn.unread(head, 0, n);
            tar = BoundedTarInputStream.over(tarIn, options.maxPaxHeaderBytes());
            long count = 0;
            while (true) {
                inContent = false;
                TarArchiveEntry entry = readTar(tar::getNextEntry);
                if (entry == null) {
                    break;
                }
                entryName = entry.getName();
                if (++count > options.maxEntries()) {
                    throw new UnsafeArchiveException(entryName, "the archive has more than " + options.maxEntries()
                            + " entries (maxEntries)");
                }
                inContent = true;
                Manifest.Entry recorded = apply(entry);
                writer.add(recorded);
                fileBytes += recorded.size();
                reportProgress();
            }
            inContent = false;
            entryName = null;
            byte[] rest = new byte[1 << 16];
            while (readTar(() -> tarIn.read(rest)) >= 0) {
                reportProgress();
            }
            tree.finish();
            return new ExtractResult(pump.compression(), pump.compressedDigest(), pump.compressedSize(),
                    pump.diffDigest(), pump.diffSize(), count, fileBytes);
        }

        private Manifest.Entry apply(TarArchiveEntry e) throws IOException {
            String name = e.getName();
            checkLength(name, "name");
            String link = e.getLinkName() == null ? "" : e.getLinkName();
            checkLength(link, "link target");
            String rel = LayerTree.clean(name, name);
            Manifest.EntryType type = typeOf(e);
            FileTime mtime = e.getLastModifiedTime() != null ? e.getLastModifiedTime() : FileTime.from(Instant.EPOCH);
            FileTime atime = e.getLastAccessTime() != null ? e.getLastAccessTime() : mtime;
            LayerTree.Meta meta = new LayerTree.Meta(e.getMode() & 07777, mtime, atime);
            Digest content = null;
            long size = 0;
            String recordedLink = "";
            switch (type) {
                case FILE -> {
                    if (e.getRealSize() > options.maxDiffSize() - fileBytes) {
                        throw new UnsafeArchiveException(shorten(name), "its " + e.getRealSize() + " bytes would take"
                                + " the files written past the limit of " + options.maxDiffSize() + " (maxDiffSize)");
                    }
                    CountingContent in = new CountingContent();
                    content = tree.writeFile(name, rel, in, meta);
                    size = in.count;
                }
                case DIRECTORY -> tree.directory(name, rel, meta);
                case SYMLINK -> {
                    tree.symlink(name, rel, link, meta);
                    recordedLink = link;
                }
                case HARDLINK -> {
                    recordedLink = LayerTree.clean(name, link);
                    tree.hardlink(name, rel, recordedLink);
                }
                case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> tree.reserve(name, rel);
                case OTHER -> { }
                default -> throw new IllegalStateException("unhandled entry type " + type);
            }
            Map<String, String> xattrs = new TreeMap<>();
            for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
                if (h.getKey().startsWith("SCHILY.xattr.")) {
                    xattrs.put(h.getKey().substring("SCHILY.xattr.".length()), h.getValue());
                }
            }
            return new Manifest.Entry(type, e.getLinkFlag() & 0xff, rel.isEmpty() ? "." : rel, e.getMode() & 07777,
                    e.getLongUserId(), e.getLongGroupId(), nullToEmpty(e.getUserName()),
                    nullToEmpty(e.getGroupName()), mtime.toInstant(), size, recordedLink, e.getDevMajor(),
                    e.getDevMinor(), xattrs, content);
        }

        private static Manifest.EntryType typeOf(TarArchiveEntry e) {
            if (e.isSymbolicLink()) {
                return Manifest.EntryType.SYMLINK;
            }
            if (e.isLink()) {
                return Manifest.EntryType.HARDLINK;
            }
            if (e.isCharacterDevice()) {
                return Manifest.EntryType.CHAR_DEVICE;
            }
            if (e.isBlockDevice()) {
                return Manifest.EntryType.BLOCK_DEVICE;
            }
            if (e.isFIFO()) {
                return Manifest.EntryType.FIFO;
            }
            if (e.isDirectory()) {
                return Manifest.EntryType.DIRECTORY;
            }
            byte flag = e.getLinkFlag();
            if (flag == '0' || flag == 0 || flag == '7' || e.isSparse()) {
                return Manifest.EntryType.FILE;
            }
            return Manifest.EntryType.OTHER;
        }

        private void checkLength(String text, String what) throws UnsafeArchiveException {
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > options.maxNameBytes()) {
                throw new UnsafeArchiveException(shorten(entryName), "the " + what + " is " + bytes
                        + " bytes long, more than the limit of " + options.maxNameBytes() + " (maxNameBytes)");
            }
        }

        private void reportProgress() {
            long now = pump.rawBytesRead();
            if (now != lastProgress) {
                lastProgress = now;
                options.progress().accept(now);
            }
        }

        private interface TarRead<T> {
            T read() throws IOException;
        }

        /** Runs a read of the tar stream, turning what goes wrong in the archive into one-line Cairn errors. */
        private <T> T readTar(TarRead<T> read) throws IOException {
            try {
                return read.read();
            } catch (CairnException | InterruptedIOException e) {
                throw e;
            } catch (TarStreamPump.SizeLimitExceeded | BoundedTarInputStream.HeaderTooLarge e) {
                throw new UnsafeArchiveException(where(), e.getMessage());
            } catch (IOException | RuntimeException e) {
                if (pump.isRawReadFailure(e)) {
                    throw e;
                }
                long at = tar == null ? 0 : tar.position();
                String context = entryName == null ? (tar == null ? "at its start" : "at the first header")
                        : (inContent ? "in the content of entry '" + shorten(entryName) + "'"
                        : "after entry '" + shorten(entryName) + "'");
                throw new CorruptArchiveException("corrupt tar " + context + " (about byte " + at
                        + " of the uncompressed stream): " + e.getMessage(), e);
            }
        }

        private String where() {
            return entryName == null ? "(end of the archive)" : shorten(entryName);
        }

        private static String shorten(String name) {
            return name == null || name.length() <= 200 ? name : name.substring(0, 200) + "...";
        }

        private static String nullToEmpty(String s) {
            return s == null ? "" : s;
        }

        /** The current entry's content, counted, with read errors reported as archive errors. */
        private final class CountingContent extends FilterInputStream {
            long count;

            CountingContent() {
                super(tar);
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = readTar(() -> in.read(b, off, len));
                if (n > 0) {
                    count += n;
                    reportProgress();
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                throw new UnsupportedOperationException("read in blocks");
            }
        }
    }
}
