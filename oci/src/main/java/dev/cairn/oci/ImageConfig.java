package dev.cairn.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.InvalidImageException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An image config, OCI ({@link MediaTypes#OCI_CONFIG}) or Docker ({@link MediaTypes#DOCKER_CONFIG}), kept as the exact
 * bytes received (the image id containers/storage gives an image is the hex of their digest). What Cairn reads of it:
 * {@code os}, {@code architecture}, {@code variant}, {@code os.version}, {@code created}, {@code author},
 * {@code rootfs.diff_ids} (the DiffID of every layer, base first) and {@code history}. The rest — the execution
 * parameters — is kept in the bytes and not interpreted.
 *
 * <p>Checked on reading: a JSON object of at most {@link #MAX_SIZE} bytes; {@code os} and {@code architecture}
 * strings; {@code rootfs} with {@code type} "layers" and {@code diff_ids} digests; {@code created} (here and in
 * history) RFC 3339 where present; optional fields may be null. That the history's non-empty entries match the
 * DiffIDs in number is not required: images in the wild break it and no runtime relies on it. Immutable and
 * thread-safe.
 */
public final class ImageConfig {

    /** The largest config read into memory (4 MiB, as containers/image). */
    public static final int MAX_SIZE = 4 << 20;

    /** One step of the image's history; an {@code emptyLayer} step made no layer. */
    public record History(Optional<Instant> created, Optional<String> createdBy, Optional<String> author,
                          Optional<String> comment, boolean emptyLayer) {
    }

    private final byte[] bytes;
    private final String mediaType;
    private final OciDigest digest;
    private final Platform platform;
    private final Optional<Instant> created;
    private final Optional<String> author;
    private final List<OciDigest> diffIds;
    private final List<History> history;

    private ImageConfig(byte[] bytes, String mediaType, OciDigest digest, Platform platform,
                        Optional<Instant> created, Optional<String> author, List<OciDigest> diffIds,
                        List<History> history) {
        this.bytes = bytes;
        this.mediaType = mediaType;
        this.digest = digest;
        this.platform = platform;
        this.created = created;
        this.author = author;
        this.diffIds = List.copyOf(diffIds);
        this.history = List.copyOf(history);
    }

    /**
     * Reads an image config.
     *
     * @param mediaType {@link MediaTypes#OCI_CONFIG} or {@link MediaTypes#DOCKER_CONFIG}
     * @throws InvalidImageException if the bytes are not such a config; the message names it by digest and the field
     */
    public static ImageConfig parse(byte[] bytes, String mediaType) throws InvalidImageException {
        if (!MediaTypes.isImageConfig(mediaType)) {
            throw new IllegalArgumentException("not an image config media type: " + mediaType);
        }
        byte[] copy = bytes.clone();
        OciDigest digest = OciDigest.sha256(copy);
        Json json = new Json("image config " + digest);
        if (copy.length > MAX_SIZE) {
            throw new InvalidImageException(json.document(), copy.length + " bytes, more than the " + MAX_SIZE
                    + " a config may have");
        }
        ObjectNode root = json.object(copy);
        Platform platform = new Platform(json.string(root, "os", ""), json.string(root, "architecture", ""),
                json.optString(root, "variant", "").orElse(""), json.optString(root, "os.version", "").orElse(""),
                json.strings(root, "os.features", ""));
        JsonNode rootfs = json.object(root, "rootfs", "");
        String type = json.string(rootfs, "type", "rootfs");
        if (!type.equals("layers")) {
            throw json.invalid("rootfs.type", "want \"layers\", got \"" + type + "\"");
        }
        List<JsonNode> ids = json.array(rootfs, "diff_ids", "rootfs");
        List<OciDigest> diffIds = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            String path = "rootfs.diff_ids[" + i + "]";
            if (!ids.get(i).isTextual()) {
                throw json.invalid(path, "want a digest string, got " + Json.kind(ids.get(i)));
            }
            diffIds.add(json.parseDigest(ids.get(i).textValue(), path));
        }
        List<History> history = new ArrayList<>();
        List<JsonNode> steps = json.optArray(root, "history", "").orElse(List.of());
        for (int i = 0; i < steps.size(); i++) {
            String path = "history[" + i + "]";
            JsonNode h = steps.get(i);
            if (!h.isObject()) {
                throw json.invalid(path, "want an object, got " + Json.kind(h));
            }
            history.add(new History(time(json, h, path), json.optString(h, "created_by", path),
                    json.optString(h, "author", path), json.optString(h, "comment", path),
                    json.optBoolean(h, "empty_layer", path).orElse(false)));
        }
        return new ImageConfig(copy, mediaType, digest, platform, time(json, root, ""),
                json.optString(root, "author", ""), diffIds, history);
    }

    private static Optional<Instant> time(Json json, JsonNode node, String path) throws InvalidImageException {
        Optional<String> text = json.optString(node, "created", path);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text.get(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            throw json.invalid(Json.path(path, "created"), "not an RFC 3339 time: '" + text.get() + "'");
        }
    }

    public String mediaType() {
        return mediaType;
    }

    /** The sha256 of {@link #bytes()}. */
    public OciDigest digest() {
        return digest;
    }

    /** A copy of the bytes as received. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    /** A descriptor of these bytes under their media type. */
    public Descriptor descriptor() {
        return Descriptor.of(mediaType, digest, bytes.length);
    }

    /** {@code os}, {@code architecture}, {@code variant}, {@code os.version} and {@code os.features}. */
    public Platform platform() {
        return platform;
    }

    public Optional<Instant> created() {
        return created;
    }

    public Optional<String> author() {
        return author;
    }

    /** {@code rootfs.diff_ids}: the sha of every layer's uncompressed tar, base layer first. */
    public List<OciDigest> diffIds() {
        return diffIds;
    }

    public List<History> history() {
        return history;
    }

    @Override
    public String toString() {
        return "image config " + digest;
    }
}
