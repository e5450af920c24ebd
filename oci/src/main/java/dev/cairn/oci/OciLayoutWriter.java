package dev.cairn.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.InvalidImageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Writes into an OCI image layout — a new one, or one that exists — in a form skopeo and umoci read.
 *
 * <p><b>Order and durability.</b> Blobs first: each is written under a temporary name, verified against its descriptor
 * while it is written, fsynced and renamed into {@code blobs/<algorithm>/<encoded>}; a blob already there is kept
 * only if it verifies, else replaced. {@code index.json} last: every {@link #tag} or {@link #add} rewrites it
 * atomically (temporary file, fsync, rename, directory fsync), and refuses an entry whose blob is not in the layout, so
 * {@code index.json} never names a missing manifest. A crash leaves the old index or the new one, and at most a
 * temporary {@code .cairn-*.tmp} file.
 *
 * <p><b>Tags.</b> {@link #tag} moves a tag as {@code umoci tag} does: the entries that carried it are dropped (their
 * blobs stay, unreferenced, until a {@code umoci gc}), and an untagged entry of the same manifest is replaced by the
 * tagged one. Entries and fields of {@code index.json} that Cairn does not know are kept as they were.
 *
 * <p><b>Concurrency.</b> Thread-safe. The read-modify-write of {@code index.json} holds a lock on the layout's
 * {@code oci-layout} file (and a lock within this JVM), so writers in several processes that all lock — Cairns — do not
 * lose each other's tags; skopeo and umoci do not lock.
 */
public final class OciLayoutWriter {

    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path dir;

    private OciLayoutWriter(Path dir) {
        this.dir = dir;
    }

    /**
     * Opens a layout for writing, making it where there is none: the directory, {@code oci-layout},
     * {@code blobs/sha256/} and an empty {@code index.json}, each durable.
     *
     * @throws InvalidImageException if {@code dir} exists, is not empty and is no layout (nothing is written into
     *                               it), or its {@code oci-layout} or {@code index.json} is malformed
     * @throws dev.cairn.model.UnsupportedImageException if its layout version is not 1.0.0
     */
    public static OciLayoutWriter open(Path dir) throws IOException {
        Path layoutFile = dir.resolve(OciLayout.LAYOUT_FILE);
        Path indexFile = dir.resolve(OciLayout.INDEX_FILE);
        if (Files.isDirectory(dir) && !Files.exists(layoutFile, LinkOption.NOFOLLOW_LINKS)
                && !Files.exists(indexFile, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new InvalidImageException(dir.toString(),
                            "not an OCI image layout and not empty; refusing to write into it");
                }
            }
        }
        AtomicFiles.mkdirs(dir);
        if (Files.exists(layoutFile, LinkOption.NOFOLLOW_LINKS)) {
            OciLayout.checkLayoutFile(layoutFile);
        } else {
            ObjectNode layout = Json.MAPPER.createObjectNode().put("imageLayoutVersion", OciLayout.LAYOUT_VERSION);
            AtomicFiles.write(layoutFile, Json.write(layout));
        }
        AtomicFiles.mkdirs(dir.resolve(OciLayout.BLOBS_DIR).resolve(OciDigest.SHA256));
        OciLayoutWriter w = new OciLayoutWriter(dir);
        w.editIndex(index -> {
        });
        return w;
    }

    public Path dir() {
        return dir;
    }

    /** The layout as it is now, for reading. */
    public OciLayout layout() throws IOException {
        return OciLayout.open(dir);
    }

    /**
     * Writes a blob from a stream, verifying it against {@code expected} as it is written.
     *
     * <p>When a blob of that digest is already in the layout and verifies, {@code in} is not read.
     *
     * @return {@code expected}
     * @throws dev.cairn.model.DigestMismatchException if the bytes do not hash to the descriptor's digest
     * @throws dev.cairn.model.SizeMismatchException   if they are not of its size
     */
    public Descriptor putBlob(Descriptor expected, InputStream in) throws IOException {
        OciDigest digest = expected.digest();
        String subject = "blob " + digest + " for oci:" + dir;
        digest.newHasher(subject);
        Path target = OciLayout.blobPath(dir, digest);
        if (existingVerifies(target, expected, subject)) {
            return expected;
        }
        AtomicFiles.mkdirs(target.getParent());
        AtomicFiles.write(target, dir, out -> {
            VerifiedBlobStream verified = new VerifiedBlobStream(in, expected, subject);
            verified.transferTo(out);
            verified.verifyToEnd();
        });
        return expected;
    }

    /** Writes a small blob held in memory (a config, say) and returns its sha256 descriptor. */
    public Descriptor putBlob(String mediaType, byte[] bytes) throws IOException {
        return putBlob(Descriptor.of(mediaType, bytes), new ByteArrayInputStream(bytes));
    }

    /** Writes a manifest or index blob, its exact bytes, and returns its descriptor (not yet in index.json). */
    public Descriptor putManifest(ManifestDocument manifest) throws IOException {
        return putBlob(manifest.mediaType(), manifest.bytes());
    }

    /**
     * Points {@code tag} at a manifest or index already in the layout, in {@code index.json}.
     *
     * @param entry the manifest's descriptor (a platform or other annotations on it are kept in the entry)
     * @throws IllegalArgumentException if {@code tag} is not a valid ref name
     * @throws dev.cairn.model.BlobNotFoundException if the manifest's blob is not in the layout
     */
    public void tag(Descriptor entry, String tag) throws IOException {
        ImageReference.Oci.checkRefName(tag);
        checkEntry(entry);
        Descriptor tagged = entry.withAnnotation(Descriptor.REF_NAME, tag);
        editIndex(manifests -> {
            removeIf(manifests, e -> tag.equals(refName(e)));
            removeIf(manifests, e -> refName(e) == null && entry.digest().toString().equals(e.path("digest").asText()));
            manifests.add(tagged.toJson());
        });
    }

    /**
     * Adds an untagged entry for a manifest or index already in the layout (as {@code skopeo copy ... oci:DIR} does),
     * replacing an untagged entry of the same digest.
     */
    public void add(Descriptor entry) throws IOException {
        checkEntry(entry);
        editIndex(manifests -> {
            removeIf(manifests, e -> refName(e) == null && entry.digest().toString().equals(e.path("digest").asText()));
            manifests.add(entry.toJson());
        });
    }

    private void checkEntry(Descriptor entry) throws IOException {
        OciLayout.checkBlob(dir, entry, "index.json entry");
    }

    private static String refName(JsonNode entry) {
        JsonNode n = entry.path("annotations").path(Descriptor.REF_NAME);
        return n.isTextual() ? n.textValue() : null;
    }

    private static void removeIf(ArrayNode manifests, java.util.function.Predicate<JsonNode> p) {
        for (Iterator<JsonNode> it = manifests.elements(); it.hasNext(); ) {
            if (p.test(it.next())) {
                it.remove();
            }
        }
    }

    @FunctionalInterface
    private interface IndexEdit {
        void apply(ArrayNode manifests) throws IOException;
    }

    /**
     * Reads {@code index.json} (or an empty index where there is none), applies the edit to its {@code manifests} and
     * writes it back atomically — all under the layout's lock. The result is checked to read back as an index.
     */
    private void editIndex(IndexEdit edit) throws IOException {
        Path indexFile = dir.resolve(OciLayout.INDEX_FILE);
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(dir.toRealPath(), p -> new ReentrantLock());
        jvmLock.lock();
        try (FileChannel ch = FileChannel.open(dir.resolve(OciLayout.LAYOUT_FILE), StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            ObjectNode root;
            boolean existed = Files.exists(indexFile, LinkOption.NOFOLLOW_LINKS);
            if (existed) {
                byte[] bytes = OciLayout.readSmallFile(indexFile, ManifestDocument.MAX_SIZE);
                ImageIndex.parse(bytes, MediaTypes.OCI_INDEX, new Json(indexFile.toString()));
                root = new Json(indexFile.toString()).object(bytes);
            } else {
                root = Json.MAPPER.createObjectNode();
                root.put("schemaVersion", 2);
                root.put("mediaType", MediaTypes.OCI_INDEX);
                root.putArray("manifests");
            }
            ArrayNode manifests = (ArrayNode) root.get("manifests");
            String before = manifests.toString();
            edit.apply(manifests);
            if (existed && before.equals(manifests.toString())) {
                return;
            }
            byte[] out = Json.write(root);
            ImageIndex.parse(out, MediaTypes.OCI_INDEX, new Json(indexFile + " (as rewritten)"));
            AtomicFiles.write(indexFile, out);
        } finally {
            jvmLock.unlock();
        }
    }

    private boolean existingVerifies(Path target, Descriptor expected, String subject) throws IOException {
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) || Files.size(target) != expected.size()) {
            return false;
        }
        try (InputStream in = Files.newInputStream(target, LinkOption.NOFOLLOW_LINKS);
             VerifiedBlobStream v = new VerifiedBlobStream(in, expected, subject)) {
            v.verifyToEnd();
            return true;
        } catch (dev.cairn.model.DigestMismatchException | dev.cairn.model.SizeMismatchException e) {
            return false;
        }
    }
}
