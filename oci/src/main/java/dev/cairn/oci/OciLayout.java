package dev.cairn.oci;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.AmbiguousImageException;
import dev.cairn.model.BlobNotFoundException;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.InvalidImageException;
import dev.cairn.model.SizeMismatchException;
import dev.cairn.model.UnsupportedImageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * An OCI image layout as read: {@code oci-layout} (version 1.0.0), {@code index.json} (an OCI index whose entries'
 * {@code org.opencontainers.image.ref.name} annotations are the tags) and the blobs under
 * {@code blobs/<algorithm>/<encoded>}. The index is read once, at {@link #open}; blobs are read when asked, each
 * verified against the descriptor it is read by. A blob must be a regular file: a symlink in {@code blobs/} is refused,
 * so a layout cannot make Cairn read a file outside it. Files the layout spec does not name are ignored (a
 * {@code docker save} tar's {@code manifest.json}, say). Thread-safe: immutable after open, blobs opened independently.
 */
public final class OciLayout {

    /** The only {@code imageLayoutVersion} of the image spec. */
    public static final String LAYOUT_VERSION = "1.0.0";
    static final String LAYOUT_FILE = "oci-layout";
    static final String INDEX_FILE = "index.json";
    static final String BLOBS_DIR = "blobs";
    /** The largest {@code oci-layout} file read. */
    private static final int MAX_LAYOUT_FILE = 64 << 10;

    private final Path dir;
    private final ImageIndex index;

    private OciLayout(Path dir, ImageIndex index) {
        this.dir = dir;
        this.index = index;
    }

    /**
     * Reads a layout's {@code oci-layout} and {@code index.json}.
     *
     * @throws ImageNotFoundException    if {@code dir} is no directory, or has neither file
     * @throws InvalidImageException     if either file is malformed (naming the file and field)
     * @throws UnsupportedImageException if the layout version is not 1.0.0
     */
    public static OciLayout open(Path dir) throws IOException {
        String where = "oci:" + dir;
        if (!Files.isDirectory(dir)) {
            throw new ImageNotFoundException(where, "no such directory");
        }
        Path layoutFile = dir.resolve(LAYOUT_FILE);
        Path indexFile = dir.resolve(INDEX_FILE);
        if (!Files.exists(layoutFile, LinkOption.NOFOLLOW_LINKS)) {
            throw Files.exists(indexFile) ? new InvalidImageException(layoutFile.toString(),
                    "missing (every OCI image layout has one)")
                    : new ImageNotFoundException(where, "not an OCI image layout (no oci-layout, no index.json)");
        }
        checkLayoutFile(layoutFile);
        if (!Files.exists(indexFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidImageException(indexFile.toString(), "missing (every OCI image layout has one)");
        }
        byte[] bytes = readSmallFile(indexFile, ManifestDocument.MAX_SIZE);
        return new OciLayout(dir, ImageIndex.parse(bytes, MediaTypes.OCI_INDEX, new Json(indexFile.toString())));
    }

    static void checkLayoutFile(Path layoutFile) throws IOException {
        Json json = new Json(layoutFile.toString());
        ObjectNode root = json.object(readSmallFile(layoutFile, MAX_LAYOUT_FILE));
        String version = json.string(root, "imageLayoutVersion", "");
        if (!version.equals(LAYOUT_VERSION)) {
            throw new UnsupportedImageException(layoutFile.toString(), "image layout version " + version
                    + " (Cairn reads " + LAYOUT_VERSION + ")");
        }
    }

    static byte[] readSmallFile(Path file, int max) throws IOException {
        long size = Files.size(file);
        if (size > max) {
            throw new InvalidImageException(file.toString(), size + " bytes, more than the " + max + " allowed");
        }
        return Files.readAllBytes(file);
    }

    public Path dir() {
        return dir;
    }

    /** {@code index.json} as read at open. */
    public ImageIndex index() {
        return index;
    }

    /** The tags of {@code index.json}, in its order. */
    public List<String> tags() {
        List<String> tags = new ArrayList<>();
        index.manifests().forEach(d -> d.refName().ifPresent(tags::add));
        return tags;
    }

    /**
     * The {@code index.json} entry a reference names: the one tagged {@code TAG}; the {@code @N}th; or, with neither,
     * the only entry.
     *
     * @throws ImageNotFoundException  if there is no such tag or position, or no entry at all
     * @throws AmbiguousImageException if several entries carry the tag, or no tag was given and there are several
     */
    public Descriptor find(ImageReference.Oci ref) throws ImageNotFoundException, AmbiguousImageException {
        List<Descriptor> entries = index.manifests();
        if (ref.sourceIndex().isPresent()) {
            int i = ref.sourceIndex().getAsInt();
            if (i >= entries.size()) {
                throw new ImageNotFoundException(ref.toString(), "index.json has " + entries.size() + " entries");
            }
            return entries.get(i);
        }
        if (ref.tag().isPresent()) {
            List<Descriptor> tagged = entries.stream().filter(d -> d.refName().equals(ref.tag())).toList();
            if (tagged.isEmpty()) {
                throw new ImageNotFoundException(ref.toString(), "no image tagged '" + ref.tag().get() + "' (tags: "
                        + tags() + ")");
            }
            if (tagged.size() > 1) {
                throw new AmbiguousImageException(ref.toString(), tagged.stream().map(d -> d.digest().toString())
                        .toList());
            }
            return tagged.get(0);
        }
        if (entries.isEmpty()) {
            throw new ImageNotFoundException(ref.toString(), "the layout holds no image");
        }
        if (entries.size() > 1) {
            throw new AmbiguousImageException(ref.toString(), entries.stream()
                    .map(d -> d.refName().orElse(d.digest().toString())).toList());
        }
        return entries.get(0);
    }

    /** Where the blob of this digest lives (whether or not it is there). */
    public Path blobPath(OciDigest digest) {
        return blobPath(dir, digest);
    }

    static Path blobPath(Path dir, OciDigest digest) {
        return dir.resolve(BLOBS_DIR).resolve(digest.algorithm()).resolve(digest.encoded());
    }

    /** Whether the blob is present, as a regular file. */
    public boolean hasBlob(OciDigest digest) {
        return Files.isRegularFile(blobPath(digest), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Checks that the blob is present, a regular file of the descriptor's size; cheap (one stat).
     *
     * @param what names the blob in errors
     * @throws BlobNotFoundException if it is absent (for a non-distributable layer, saying so) or not a regular file
     * @throws SizeMismatchException if its size is not the descriptor's
     */
    public void checkBlob(Descriptor d, String what) throws IOException {
        checkBlob(dir, d, what);
    }

    static void checkBlob(Path dir, Descriptor d, String what) throws IOException {
        Path p = blobPath(dir, d.digest());
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            boolean foreign = LayerMediaType.of(d.mediaType()).map(t -> !t.distributable()).orElse(false);
            throw new BlobNotFoundException(d.digest().toString(), what + " is not in oci:" + dir + (foreign ? "; it is a non-distributable layer" + (d.urls().isEmpty() ? ""
                    : " to be had from " + d.urls()) + ", and Cairn fetches nothing from the network" : ""));
        }
        if (!a.isRegularFile()) {
            throw new BlobNotFoundException(d.digest().toString(), what + ": " + p
                    + " is not a regular file (a symlink or other entry in blobs/ is not followed)");
        }
        if (a.size() != d.size()) {
            throw new SizeMismatchException(what + " " + p, d.size(), a.size());
        }
    }

    /**
     * Opens a blob, verified against its descriptor while it is read.
     *
     * @param what names the blob in errors, e.g. {@code layer 2}
     */
    public VerifiedBlobStream openBlob(Descriptor d, String what) throws IOException {
        checkBlob(d, what);
        String subject = "oci:" + dir + " " + what + " blob " + d.digest();
        // The descriptor is checked before the file is opened, so an unverifiable algorithm opens nothing.
        d.digest().newHasher(subject);
        InputStream in = Files.newInputStream(blobPath(d.digest()), LinkOption.NOFOLLOW_LINKS);
        try {
            return new VerifiedBlobStream(in, d, subject);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Reads a small blob (manifest, index, config) whole, verified.
     *
     * @throws InvalidImageException if its descriptor says it is larger than {@code max}
     */
    public byte[] readBlob(Descriptor d, int max, String what) throws IOException {
        if (d.size() > max) {
            throw new InvalidImageException("oci:" + dir + " " + what + " " + d.digest(), "its descriptor says "
                    + d.size() + " bytes, more than the " + max + " allowed");
        }
        try (VerifiedBlobStream in = openBlob(d, what)) {
            byte[] bytes = in.readAllBytes();
            in.verifyToEnd();
            return bytes;
        }
    }
}
