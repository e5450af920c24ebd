package dev.cairn.oci;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.io.DurableFiles;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a docker-archive in the shape skopeo writes one, which {@code docker load} and skopeo read: per image the
 * config as {@code <config hex>.json}, each layer's uncompressed tar as {@code <DiffID hex>.tar} (once, however many
 * images share it), a legacy folder per layer ({@code <id>/layer.tar} a symlink to the tar, {@code <id>/json},
 * {@code <id>/VERSION}) for Docker before 1.10, and at the end {@code manifest.json} ({@code Config}, {@code RepoTags},
 * {@code Layers}) and {@code repositories}.
 *
 * <p><b>From descriptors.</b> A docker-archive layer is the uncompressed tar, named and checked by its DiffID: the
 * caller hands each layer as {@link Layer} (DiffID, size, a way to open the tar), not as the compressed blob a
 * manifest describes; every layer is verified against its DiffID and size while it is written. The config's bytes
 * are written exactly as given, so the image id (config digest) is the same in the archive.
 *
 * <p><b>Atomicity.</b> Everything goes to a temporary file beside the target, made durable and renamed over it by
 * {@link #commit}; a failure, or {@link #close} without commit, removes the temporary file and leaves the target as it
 * was. After a failed call the writer refuses further use. Not thread-safe: a tar is written in order.
 */
public final class DockerArchiveWriter implements Closeable {

    /** One layer to write: its DiffID, the size of its uncompressed tar, and how to open that tar. */
    public record Layer(OciDigest diffId, long size, Content content) {
    }

    /** Opens a layer's uncompressed tar; called once, when the layer is written. */
    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;
    }

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final TarWriter tar;
    private final Set<String> written = new LinkedHashSet<>();
    private final Map<OciDigest, ObjectNode> items = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> repositories = new TreeMap<>();
    private boolean failed;
    private boolean done;

    private DockerArchiveWriter(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.tar = new TarWriter(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
    }

    /** Starts an archive that {@link #commit} will put at {@code file}, replacing what is there. */
    public static DockerArchiveWriter create(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path temp = AtomicFiles.tempIn(abs.getParent(), abs.getFileName().toString());
        FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new DockerArchiveWriter(abs, temp, ch);
    }

    /**
     * Adds an image. An image added again (same config) gains the new tags.
     *
     * @param config   the image config, its bytes as they are to be kept
     * @param layers   its layers, base first, one per {@code rootfs.diff_ids} entry and with those DiffIDs
     * @param repoTags the names it gets in {@code RepoTags} and {@code repositories}
     * @throws IllegalArgumentException             if the layers do not match the config's DiffIDs
     * @throws dev.cairn.model.DigestMismatchException if a layer's tar does not hash to its DiffID
     * @throws dev.cairn.model.SizeMismatchException   if it is not of its size
     */
    public void add(ImageConfig config, List<Layer> layers, List<DockerReference> repoTags) throws IOException {
        checkUsable();
        List<OciDigest> diffIds = layers.stream().map(Layer::diffId).toList();
        if (!diffIds.equals(config.diffIds())) {
            throw new IllegalArgumentException("layers " + diffIds + " are not the DiffIDs of " + config + ": "
                    + config.diffIds());
        }
        for (Layer l : layers) {
            if (!l.diffId().algorithm().equals(OciDigest.SHA256)) {
                throw new IllegalArgumentException("a docker-archive names layers by sha256, not " + l.diffId());
            }
        }
        failed = true;
        String configName = config.digest().encoded() + ".json";
        if (written.add(configName)) {
            tar.file(configName, config.bytes());
        }
        List<String> layerNames = new ArrayList<>();
        for (Layer l : layers) {
            String name = l.diffId().encoded() + ".tar";
            layerNames.add(name);
            if (written.add(name)) {
                try (InputStream in = l.content().open();
                     VerifiedBlobStream verified = new VerifiedBlobStream(in, l.diffId(), l.size(),
                             "layer " + l.diffId() + " for " + target)) {
                    tar.file(name, l.size(), verified);
                    verified.verifyToEnd();
                }
            }
        }
        String top = writeLegacyLayers(config, layers);
        ObjectNode item = items.computeIfAbsent(config.digest(), d -> {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("Config", configName);
            n.putArray("RepoTags");
            ArrayNode l = n.putArray("Layers");
            layerNames.forEach(l::add);
            return n;
        });
        ArrayNode tags = (ArrayNode) item.get("RepoTags");
        for (DockerReference r : repoTags) {
            boolean known = false;
            for (var t : tags) {
                known |= t.asText().equals(r.toString());
            }
            if (!known) {
                tags.add(r.toString());
            }
            if (top != null) {
                repositories.computeIfAbsent(r.name(), n -> new TreeMap<>()).put(r.tag(), top);
            }
        }
        failed = false;
    }

    /**
     * The legacy v1 folders, as containers/image derives them: each layer's id is the sha256 of a small JSON that
     * holds its chain id and its parent's id (the top layer's also the config's v1 fields); returns the top id.
     */
    private String writeLegacyLayers(ImageConfig config, List<Layer> layers) throws IOException {
        ObjectNode configJson = new Json(config.toString()).object(config.bytes());
        String parent = null;
        OciDigest chain = null;
        for (int i = 0; i < layers.size(); i++) {
            OciDigest diffId = layers.get(i).diffId();
            chain = chain == null ? diffId
                    : OciDigest.sha256((chain + " " + diffId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            TreeMap<String, Object> v1 = new TreeMap<>();
            if (parent != null) {
                v1.put("parent", parent);
            }
            if (i == layers.size() - 1) {
                for (String f : List.of("architecture", "config", "container", "container_config", "created",
                        "docker_version", "os")) {
                    v1.put(f, configJson.get(f));
                }
            }
            v1.put("layer_id", chain.toString());
            String id = OciDigest.sha256(Json.MAPPER.writeValueAsBytes(v1)).encoded();
            v1.remove("layer_id");
            v1.put("id", id);
            if (written.add(id + "/")) {
                tar.symlink(id + "/layer.tar", "../" + diffId.encoded() + ".tar");
                tar.file(id + "/VERSION", "1.0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                tar.file(id + "/json", Json.MAPPER.writeValueAsBytes(v1));
            }
            parent = id;
        }
        return parent;
    }

    /** Writes {@code manifest.json} and {@code repositories}, ends the tar, and puts the archive in place durably. */
    public void commit() throws IOException {
        checkUsable();
        failed = true;
        ArrayNode manifest = Json.MAPPER.createArrayNode();
        items.values().forEach(manifest::add);
        tar.file(DockerArchiveSource.MANIFEST_FILE, Json.write(manifest));
        tar.file(DockerArchiveSource.REPOSITORIES_FILE, Json.MAPPER.writeValueAsBytes(repositories));
        tar.finish();
        channel.force(true);
        channel.close();
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        DurableFiles.renameDurable(temp, target);
        done = true;
        failed = false;
    }

    private void checkUsable() {
        if (done) {
            throw new IllegalStateException("the archive " + target + " is already committed");
        }
        if (failed) {
            throw new IllegalStateException("an earlier write to " + target + " failed; start again");
        }
    }

    /** Abandons the archive unless it was committed: the temporary file is removed. */
    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            channel.close();
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
