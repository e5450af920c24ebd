package dev.cairn.archive;

import dev.cairn.io.Posix;
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
 * <li>A later entry for the same path replaces the earlier one; a directory over a directory merges. The replaced
 *     file's content is kept in {@link TarRecord#SHADOW_DIR} beside the record, so that the tar can be rebuilt.</li>
 * <li>Regular files (sparse ones written sparse), directories, symlinks, hardlinks and fifos are created with their
 *     mode (including setuid, setgid and sticky) and times, symlinks' and fifos' without following or opening them;
 *     directories get theirs after their contents. Character and block devices and owners are applied only when
 *     running as root; {@code user.*} xattrs always where the file system allows, others only as root. Everything
 *     is recorded in the manifest either way. Whiteouts ({@code .wh.*}) are ordinary files here.</li>
 * <li>A name that is not valid UTF-8 is stored under an escaped name (see {@link #diskName}); a non-directory
 *     naming the root is recorded only.</li>
 * <li>The {@link TarRecord} written beside the manifest rebuilds the input's uncompressed tar byte for byte.</li>
 * <li>Unless {@link ExtractOptions#unsafeNoSync()}, every file, directory, the record and the manifest are durable
 *     before this returns: through one syncfs of the target's file system ({@link ExtractOptions#syncfs()}, where
 *     the kernel reports its errors), else an fsync of each.</li>
 * <li>On any failure, everything extract created under {@code target} and the manifest file are removed before
 *     the exception is thrown; {@code target} itself (empty) is left for the caller. A failure to clean up is
 *     attached as a suppressed exception.</li>
 * <li>Errors: {@link CorruptArchiveException} for input that is not a readable tar (truncated, garbage, an
 *     unaccepted compression, a bad header), {@link UnsafeArchiveException} for unsafe entries and exceeded limits,
 *     plain {@link IOException}s for failures of the input stream or the file system.</li>
 * </ul>
 * The input stream is read to its end but not closed. Thread-safe: calls share no state; each call uses one reader
 * thread and the background threads of {@link ExtractOptions#fsyncParallelism()}, all ended before it returns (a reader
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
        return extract(raw, target, manifest, manifest.resolveSibling(TarRecord.FILE_NAME), options);
    }

    /**
     * Extracts {@code raw} into {@code target}, writes the manifest to {@code manifest} and the {@link TarRecord}
     * that rebuilds the tar to {@code record}; contents of entries a later entry displaced are kept in the folder
     * {@link TarRecord#SHADOW_DIR} beside {@code record}, which must not exist. On success all three are durable
     * (unless {@link ExtractOptions#unsafeNoSync()}); on failure none of them is left.
     *
     * @param record the tar record file to create; must not exist, e.g. {@code <root>/staging/<sid>/layer/tar-record}
     */
    public static ExtractResult extract(InputStream raw, Path target, Path manifest, Path record,
                                        ExtractOptions options) throws IOException {
        requireEmptyDirectory(target);
        Path shadow = record.resolveSibling(TarRecord.SHADOW_DIR);
        if (Files.exists(shadow, LinkOption.NOFOLLOW_LINKS)) {
            throw new java.nio.file.FileAlreadyExistsException(shadow.toString());
        }
        Syncer syncer = Syncer.create(options, target);
        TarStreamPump pump = TarStreamPump.start(raw, options.maxDiffSize());
        ManifestWriter writer = null;
        TarRecord.Writer recordWriter = null;
        LayerTree tree = null;
        try {
            recordWriter = new TarRecord.Writer(record);
            TarRecord.Writer rw = recordWriter;
            tree = new LayerTree(target, syncer, shadow, rw::shadowed);
            writer = ManifestWriter.create(manifest);
            ExtractResult result = new Run(pump, tree, writer, recordWriter, options).extract();
            syncer.finish();
            boolean sync = syncer.syncsEachFile();
            if (sync && Files.isDirectory(shadow, LinkOption.NOFOLLOW_LINKS)) {
                Syncer.syncDirectory(shadow);
            }
            recordWriter.finish(result.diffSize(), result.diffDigest(), sync);
            writer.finish(sync);
            syncer.syncFileSystem();
            options.progress().accept(result.compressedSize());
            return result;
        } catch (Throwable e) {
            pump.close();
            cleanUp(e, syncer, tree, writer, manifest);
            try {
                if (recordWriter != null) {
                    recordWriter.close();
                    Files.deleteIfExists(record);
                }
                if (Files.isDirectory(shadow, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> kept = Files.list(shadow)) {
                        for (Path p : (Iterable<Path>) kept::iterator) {
                            Files.delete(p);
                        }
                    }
                    Files.delete(shadow);
                }
            } catch (IOException ce) {
                e.addSuppressed(ce);
            }
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
            if (tree != null) {
                tree.removeAll();
            }
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
        private final TarRecord.Writer record;
        private final ExtractOptions options;
        private final PushbackInputStream tarIn;
        private TarReader tar;
        private String entryName;
        private boolean inContent;
        private long lastProgress = -1;
        private long fileBytes;
        private long contentNumbers;

        Run(TarStreamPump pump, LayerTree tree, ManifestWriter writer, TarRecord.Writer record,
            ExtractOptions options) {
            this.pump = pump;
            this.tree = tree;
            this.writer = writer;
            this.record = record;
            this.options = options;
            this.tarIn = new PushbackInputStream(pump.tarStream(), 512);
        }

        ExtractResult extract() throws IOException {
            byte[] head = new byte[512];
            int n = readTar(() -> tarIn.readNBytes(head, 0, head.length));
            if (n == 0 && pump.compression() == dev.cairn.model.Compression.NONE) {
                throw new CorruptArchiveException(CompressionSniffer.EMPTY_INPUT);
            }
            String notTar = CompressionSniffer.whyNotTar(head, n);
            if (notTar != null) {
                throw new CorruptArchiveException(pump.compression() == dev.cairn.model.Compression.NONE ? notTar
                        : notTar + " (after " + pump.compression().label() + " decompression)");
            }
            tarIn.unread(head, 0, n);
            tar = new TarReader(tarIn, this::raw, options.maxPaxHeaderBytes());
            long count = 0;
            while (true) {
                inContent = false;
                TarReader.Entry entry = readTar(tar::next);
                if (entry == null) {
                    break;
                }
                entryName = displayName(entry.name);
                if (++count > options.maxEntries()) {
                    throw new UnsafeArchiveException(shorten(entryName), "the archive has more than "
                            + options.maxEntries() + " entries (maxEntries)");
                }
                inContent = true;
                Manifest.Entry recorded = apply(entry);
                writer.add(recorded);
                fileBytes += recorded.size();
                reportProgress();
            }
            inContent = false;
            entryName = null;
            reportProgress();
            tree.finish();
            return new ExtractResult(pump.compression(), pump.compressedDigest(), pump.compressedSize(),
                    pump.diffDigest(), pump.diffSize(), count, fileBytes);
        }

        private void raw(byte[] b, int off, int len) throws IOException {
            record.raw(b, off, len);
        }

        private Manifest.Entry apply(TarReader.Entry e) throws IOException {
            String name = diskName(e.name);
            checkLength(name, "name");
            String link = new String(e.link, StandardCharsets.UTF_8);
            checkLength(link, "link target");
            String rel = LayerTree.clean(shorten(name), name);
            Manifest.EntryType type = typeOf(e, name);
            if (rel.isEmpty() && type != Manifest.EntryType.DIRECTORY) {
                type = Manifest.EntryType.OTHER; // GNU tar substitutes '.'; a non-folder cannot replace the root
            }
            FileTime mtime = FileTime.from(e.mtime);
            FileTime atime = e.atime != null ? FileTime.from(e.atime) : mtime;
            LayerTree.Meta meta = new LayerTree.Meta(e.mode, mtime, atime, e.uid, e.gid);
            Digest content = null;
            long size = 0;
            String recordedLink = "";
            switch (type) {
                case FILE -> {
                    if (e.realSize > options.maxDiffSize() - fileBytes) {
                        throw new UnsafeArchiveException(shorten(name), "its " + e.realSize + " bytes would take"
                                + " the files written past the limit of " + options.maxDiffSize() + " (maxDiffSize)");
                    }
                    long number = contentNumbers++;
                    content = tree.writeFile(name, rel, new Content(), meta, e.sparse, e.realSize);
                    tree.keep(rel, number);
                    record.content(number, rel, e.realSize, e.sparse, content.bytes());
                    size = e.realSize;
                }
                case DIRECTORY -> tree.directory(name, rel, meta);
                case SYMLINK -> {
                    tree.symlink(name, rel, link, meta);
                    recordedLink = link;
                }
                case HARDLINK -> {
                    recordedLink = LayerTree.clean(shorten(name), link);
                    tree.hardlink(name, rel, recordedLink);
                }
                case CHAR_DEVICE -> tree.node(name, rel, Posix.S_IFCHR, meta, e.devMajor, e.devMinor);
                case BLOCK_DEVICE -> tree.node(name, rel, Posix.S_IFBLK, meta, e.devMajor, e.devMinor);
                case FIFO -> tree.node(name, rel, Posix.S_IFIFO, meta, e.devMajor, e.devMinor);
                case OTHER -> { }
                default -> throw new IllegalStateException("unhandled entry type " + type);
            }
            if (type != Manifest.EntryType.OTHER && type != Manifest.EntryType.HARDLINK) {
                tree.xattrs(rel, e.xattrs);
            }
            Map<String, String> xattrs = new TreeMap<>();
            for (Map.Entry<String, byte[]> x : e.xattrs.entrySet()) {
                xattrs.put(x.getKey(), new String(x.getValue(), StandardCharsets.UTF_8));
            }
            int typeflag = e.isSparse() ? Manifest.SPARSE_TYPEFLAG : e.typeflag & 0xff;
            return new Manifest.Entry(type, typeflag, rel.isEmpty() ? "." : rel, e.mode, e.uid, e.gid,
                    e.uname, e.gname, mtime.toInstant(), size, recordedLink, e.devMajor, e.devMinor, xattrs,
                    content);
        }

        private static Manifest.EntryType typeOf(TarReader.Entry e, String name) {
            return switch (e.typeflag) {
                case '0', 0, '7', 'S' -> (e.typeflag == 0 || e.typeflag == '0') && name.endsWith("/")
                        && !e.isSparse() ? Manifest.EntryType.DIRECTORY : Manifest.EntryType.FILE;
                case '1' -> Manifest.EntryType.HARDLINK;
                case '2' -> Manifest.EntryType.SYMLINK;
                case '3' -> Manifest.EntryType.CHAR_DEVICE;
                case '4' -> Manifest.EntryType.BLOCK_DEVICE;
                case '5', 'D' -> Manifest.EntryType.DIRECTORY;
                case '6' -> Manifest.EntryType.FIFO;
                default -> Manifest.EntryType.OTHER;
            };
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
                if (e instanceof CorruptArchiveException c && entryName != null
                        && !c.getMessage().contains("entry '")) {
                    throw new CorruptArchiveException(c.getMessage() + " (" + context() + ")", c);
                }
                throw e;
            } catch (TarStreamPump.SizeLimitExceeded | TarReader.HeaderTooLarge e) {
                throw new UnsafeArchiveException(where(), e.getMessage());
            } catch (IOException | RuntimeException e) {
                if (pump.isRawReadFailure(e)) {
                    throw e;
                }
                long at = tar == null ? 0 : tar.position();
                throw new CorruptArchiveException("corrupt tar " + context() + " (about byte " + at
                        + " of the uncompressed stream): " + e.getMessage(), e);
            }
        }

        private String context() {
            return entryName == null ? (tar == null ? "at its start" : "at the first header")
                    : (inContent ? "in the content of entry '" + shorten(entryName) + "'"
                    : "after entry '" + shorten(entryName) + "'");
        }

        private String where() {
            return entryName == null ? "(end of the archive)" : shorten(entryName);
        }

        private static String shorten(String name) {
            return name == null || name.length() <= 200 ? name : name.substring(0, 200) + "...";
        }

        /** The current entry's content, counted, with read errors reported as archive errors. */
        private final class Content extends InputStream {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = readTar(() -> tar.read(b, off, len));
                if (n > 0) {
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

    /** A name for messages: the entry's bytes as UTF-8, undecodable bytes shown as U+FFFD. */
    static String displayName(byte[] name) {
        return new String(name, StandardCharsets.UTF_8);
    }

    /**
     * The name an entry gets on disk. Java paths hold only valid UTF-8 here, so a name that is not valid UTF-8 is
     * escaped: {@code %} becomes {@code %25} and every byte from 0x80 up becomes {@code %HH}; the true bytes stay in
     * the tar record. An escaped name may meet a real name spelled the same; then the later entry wins on disk and
     * the earlier's content is kept aside like any displaced duplicate.
     */
    static String diskName(byte[] name) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(name)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            StringBuilder b = new StringBuilder();
            for (byte x : name) {
                int v = x & 0xff;
                if (v >= 0x80 || v == '%') {
                    b.append('%').append(String.format("%02X", v));
                } else {
                    b.append((char) v);
                }
            }
            return b.toString();
        }
    }
}
