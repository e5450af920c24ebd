package dev.cairn.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.model.AmbiguousImageException;
import dev.cairn.model.BlobNotFoundException;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.InvalidImageException;
import dev.cairn.model.UnsupportedImageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image read from a docker-archive — the tar {@code docker save} and {@code skopeo copy ... docker-archive:} write:
 * {@code manifest.json}, an array of items {@code {Config, RepoTags, Layers}} naming files in the tar; the config
 * file; and per layer an uncompressed tar, reached directly ({@code <hex>.tar}, {@code blobs/sha256/<hex>}) or through
 * a legacy folder's {@code <id>/layer.tar} (a file, or a symlink to one). The {@code repositories} file and the legacy
 * {@code json}/{@code VERSION} files are not read: {@code manifest.json} is authoritative since Docker 1.10, as it is
 * for containers/image; an archive without it (older Docker) is refused.
 *
 * <p><b>To descriptors.</b> A docker-archive has no manifest and its layers are uncompressed, so the image is given
 * the Docker schema 2 manifest containers/image makes for it ({@link ImageManifest}): each layer's digest is its
 * DiffID, its size the tar's. Reading a layer verifies the tar against exactly that, so a layer whose bytes do not
 * hash to its DiffID fails at its end. A layer file that is compressed (some hand-made archives) is refused when the
 * archive is opened: its DiffID cannot then be its digest, and its uncompressed size is unknown without reading it.
 * A config named by its digest ({@code <hex>.json}, {@code blobs/sha256/<hex>}) must hash to it.
 *
 * <p>The archive must be a plain tar; a compressed one ({@code docker save | gzip}) is refused with that reason.
 * Thread-safe: the tar is indexed once, then entries are read by positional reads of one channel.
 */
final class DockerArchiveSource implements ImageSource {

    static final String MANIFEST_FILE = "manifest.json";
    static final String REPOSITORIES_FILE = "repositories";
    private static final int MAX_MANIFEST_FILE = 1 << 20;
    private static final Pattern NAMED_BY_DIGEST =
            Pattern.compile("(?:blobs/sha256/([a-f0-9]{64})|([a-f0-9]{64})\\.json)");

    private final ImageReference.DockerArchive reference;
    private final FileChannel channel;
    private final Image image;
    private final List<TarIndex.Entry> layerEntries;

    private DockerArchiveSource(ImageReference.DockerArchive reference, FileChannel channel, Image image,
                                List<TarIndex.Entry> layerEntries) {
        this.reference = reference;
        this.channel = channel;
        this.image = image;
        this.layerEntries = List.copyOf(layerEntries);
    }

    static DockerArchiveSource open(ImageReference.DockerArchive ref) throws IOException {
        Path file = ref.path();
        if (!Files.isRegularFile(file)) {
            throw new ImageNotFoundException(ref.toString(), Files.exists(file) ? "not a file" : "no such file");
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return read(ref, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static DockerArchiveSource read(ImageReference.DockerArchive ref, FileChannel ch) throws IOException {
        String archive = "docker-archive:" + ref.path();
        Optional<String> compression = sniff(ch, 0, ch.size());
        if (compression.isPresent()) {
            throw new UnsupportedImageException(archive, "the archive is " + compression.get()
                    + "-compressed; Cairn reads plain tars (decompress it first)");
        }
        TarIndex tar = TarIndex.read(ch, archive);
        Optional<TarIndex.Entry> manifestEntry = tar.file(MANIFEST_FILE);
        if (manifestEntry.isEmpty()) {
            if (tar.file(REPOSITORIES_FILE).isPresent()) {
                throw new UnsupportedImageException(archive, "no manifest.json: an archive of Docker before 1.10,"
                        + " which Cairn does not read");
            }
            throw new InvalidImageException(archive, "no manifest.json: not a docker-archive");
        }
        String manifestName = archive + " manifest.json";
        Json json = new Json(manifestName);
        List<JsonNode> items = json.array(readEntry(ch, manifestEntry.get(), MAX_MANIFEST_FILE, manifestName));
        int chosen = choose(ref, json, items);
        JsonNode item = items.get(chosen);
        String path = "[" + chosen + "]";
        if (!item.isObject()) {
            throw json.invalid(path, "want an object, got " + Json.kind(item));
        }
        String configPath = json.string(item, "Config", path);
        List<String> layerPaths = json.strings(item, "Layers", path);
        if (!item.hasNonNull("Layers")) {
            throw json.invalid(path + ".Layers", "missing");
        }
        List<String> repoTags = json.strings(item, "RepoTags", path);

        TarIndex.Entry configEntry = tar.file(configPath).orElseThrow(() -> new BlobNotFoundException(configPath,
                archive + " has no config file " + configPath + " (manifest.json" + path + ".Config)"));
        byte[] configBytes = readEntry(ch, configEntry, ImageConfig.MAX_SIZE, archive + " config " + configPath);
        Matcher named = NAMED_BY_DIGEST.matcher(TarIndex.clean(configPath));
        if (named.matches()) {
            String hex = named.group(1) != null ? named.group(1) : named.group(2);
            OciDigest actual = OciDigest.sha256(configBytes);
            if (!actual.encoded().equals(hex)) {
                throw new DigestMismatchException(archive + " config " + configPath, "sha256:" + hex,
                        actual.toString());
            }
        }
        ImageConfig config = ImageConfig.parse(configBytes, MediaTypes.DOCKER_CONFIG);
        if (layerPaths.size() != config.diffIds().size()) {
            throw new InvalidImageException(manifestName, path + ".Layers has " + layerPaths.size() + " layers, but "
                    + config + " has " + config.diffIds().size() + " rootfs.diff_ids");
        }

        Map<String, OciDigest> diffIdOfPath = new HashMap<>();
        List<TarIndex.Entry> entries = new ArrayList<>();
        List<Descriptor> descriptors = new ArrayList<>();
        for (int i = 0; i < layerPaths.size(); i++) {
            String layerPath = layerPaths.get(i);
            OciDigest diffId = config.diffIds().get(i);
            String what = archive + " layer " + i + " (" + layerPath + ")";
            OciDigest earlier = diffIdOfPath.putIfAbsent(TarIndex.clean(layerPath), diffId);
            if (earlier != null && !earlier.equals(diffId)) {
                throw new InvalidImageException(manifestName, "layer file " + layerPath + " stands for two DiffIDs, "
                        + earlier + " and " + diffId);
            }
            TarIndex.Entry e = tar.file(layerPath).orElseThrow(() -> new BlobNotFoundException(layerPath,
                    what + " is not in the archive" + (item.has("LayerSources")
                            ? " (its LayerSources name foreign layers, whose blobs docker save leaves out)" : "")));
            Optional<String> layerCompression = sniff(ch, e.offset(), e.size());
            if (layerCompression.isPresent()) {
                throw new UnsupportedImageException(what, "the layer tar is " + layerCompression.get()
                        + "-compressed; a docker-archive layer must be the uncompressed tar, its digest its DiffID");
            }
            entries.add(e);
            // containers/image's choice: Docker's gzip layer name for the uncompressed tar (see LayerMediaType).
            descriptors.add(Descriptor.of(LayerMediaType.DOCKER_TAR_GZIP.mediaType(), diffId, e.size()));
        }
        ImageManifest manifest = ImageManifest.write(MediaTypes.DOCKER_MANIFEST, config.descriptor(), descriptors);
        Image image = Image.of(List.of(), manifest, config, repoTags);
        return new DockerArchiveSource(ref, ch, image, entries);
    }

    /** The manifest.json item the reference names: by RepoTag, by position, or the only one. */
    private static int choose(ImageReference.DockerArchive ref, Json json, List<JsonNode> items)
            throws IOException {
        if (ref.sourceIndex().isPresent()) {
            int i = ref.sourceIndex().getAsInt();
            if (i >= items.size()) {
                throw new ImageNotFoundException(ref.toString(), "manifest.json has " + items.size() + " images");
            }
            return i;
        }
        if (ref.ref().isPresent()) {
            List<String> all = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                List<String> tags = json.strings(items.get(i), "RepoTags", "[" + i + "]");
                for (int t = 0; t < tags.size(); t++) {
                    DockerReference parsed;
                    try {
                        parsed = DockerReference.parse(tags.get(t));
                    } catch (IllegalArgumentException e) {
                        throw json.invalid("[" + i + "].RepoTags[" + t + "]", e.getMessage());
                    }
                    if (parsed.equals(ref.ref().get())) {
                        return i;
                    }
                    all.add(tags.get(t));
                }
            }
            throw new ImageNotFoundException(ref.toString(), "no image tagged " + ref.ref().get() + " (RepoTags: "
                    + all + ")");
        }
        if (items.size() != 1) {
            if (items.isEmpty()) {
                throw new ImageNotFoundException(ref.toString(), "manifest.json lists no image");
            }
            List<String> candidates = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                List<String> tags = items.get(i).isObject() ? json.strings(items.get(i), "RepoTags", "[" + i + "]")
                        : List.of();
                candidates.add(tags.isEmpty() ? "@" + i : tags.get(0));
            }
            throw new AmbiguousImageException(ref.toString(), candidates);
        }
        return 0;
    }

    private static byte[] readEntry(FileChannel ch, TarIndex.Entry e, int max, String what) throws IOException {
        if (e.size() > max) {
            throw new InvalidImageException(what, e.size() + " bytes, more than the " + max + " allowed");
        }
        try (InputStream in = TarIndex.open(ch, e, false)) {
            return in.readAllBytes();
        }
    }

    /** The compression whose magic number the bytes at {@code offset} start with, if any. */
    static Optional<String> sniff(FileChannel ch, long offset, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(6, size));
        while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
            // read the few magic bytes
        }
        byte[] m = java.util.Arrays.copyOf(b.array(), b.position());
        if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) {
            return Optional.of("gzip");
        }
        if (m.length >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f
                && (m[3] & 0xff) == 0xfd) {
            return Optional.of("zstd");
        }
        if (m.length >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') {
            return Optional.of("bzip2");
        }
        if (m.length >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z'
                && m[5] == 0) {
            return Optional.of("xz");
        }
        return Optional.empty();
    }

    @Override
    public ImageReference reference() {
        return reference;
    }

    @Override
    public Image image() {
        return image;
    }

    /**
     * Each layer stream reads through a channel of its own: an interrupted reader closes only its own channel (a
     * closed-by-interrupt {@link FileChannel} is closed for every thread that shares it).
     */
    @Override
    public VerifiedBlobStream openLayer(int index) throws IOException {
        ImageLayer layer = image.layers().get(index);
        TarIndex.Entry e = layerEntries.get(index);
        if (!channel.isOpen()) {
            throw new java.nio.channels.ClosedChannelException();
        }
        FileChannel own = FileChannel.open(reference.path(), StandardOpenOption.READ);
        return new VerifiedBlobStream(TarIndex.open(own, e, true), layer.diffId(), e.size(),
                reference + " " + layer + " (" + e.name() + ")");
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
