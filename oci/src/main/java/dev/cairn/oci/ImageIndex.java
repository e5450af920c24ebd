package dev.cairn.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.InvalidImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An image index, OCI ({@link MediaTypes#OCI_INDEX}) or a Docker manifest list ({@link MediaTypes#DOCKER_MANIFEST_LIST}),
 * kept as the exact bytes received: entries pointing at manifests (or nested indexes), usually one per platform.
 * An image layout's {@code index.json} is read as an OCI index too.
 *
 * <p>Checked on reading: {@code schemaVersion} 2; the document's {@code mediaType}, required for Docker, equal to the
 * type it is read as; no {@code config} or {@code layers} field (a manifest's); {@code manifests} present (it may be
 * empty) and every entry a valid descriptor. Entries of unknown media types are kept and never chosen.
 * Immutable and thread-safe.
 */
public final class ImageIndex extends ManifestBase implements ManifestDocument {

    /** containers/image's annotation marking an entry whose layers are zstd; preferred over gzip on a tie. */
    static final String ZSTD_ANNOTATION = "io.github.containers.compression.zstd";

    /** ARM variants, newest first, each able to run the ones after it (containers/image's table). */
    private static final Map<String, List<String>> COMPATIBLE_VARIANTS =
            Map.of("arm", List.of("v8", "v7", "v6", "v5"), "arm64", List.of("v8"));

    private final List<Descriptor> manifests;

    private ImageIndex(byte[] bytes, String mediaType, Json json, ObjectNode root, List<Descriptor> manifests)
            throws InvalidImageException {
        super(bytes, mediaType, json, root);
        this.manifests = List.copyOf(manifests);
    }

    /**
     * Reads an index.
     *
     * @param mediaType {@link MediaTypes#OCI_INDEX} or {@link MediaTypes#DOCKER_MANIFEST_LIST}
     * @throws InvalidImageException if the bytes are not such an index; the message names it by digest and the field
     */
    public static ImageIndex parse(byte[] bytes, String mediaType) throws InvalidImageException {
        byte[] copy = bytes.clone();
        return parse(copy, mediaType, new Json("image index " + OciDigest.sha256(copy)));
    }

    /** Reads an index, naming it in errors as {@code document} (e.g. a layout's {@code index.json} path). */
    static ImageIndex parse(byte[] bytes, String mediaType, Json json) throws InvalidImageException {
        if (!MediaTypes.isIndex(mediaType)) {
            throw new IllegalArgumentException("not an index media type: " + mediaType);
        }
        ObjectNode root = ManifestDocument.readObject(json, bytes);
        ManifestDocument.checkHead(json, root, mediaType, "config", "layers");
        List<JsonNode> items = json.array(root, "manifests", "");
        List<Descriptor> manifests = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            manifests.add(Descriptor.parse(json, items.get(i), "manifests[" + i + "]"));
        }
        return new ImageIndex(bytes, mediaType, json, root, manifests);
    }

    /**
     * The entry an image for {@code wanted} is taken from, as containers/image chooses it: the platforms acceptable
     * for {@code wanted} are ranked (its variant first, then older compatible ARM variants, then none; with no variant
     * wanted: none first, then the compatible ones); the entry matching the best-ranked platform wins, an entry with
     * no platform counting as the worst match in an OCI index and as none in a Docker list; on a tie an entry marked
     * zstd by containers/image, then the earlier entry. Only manifest and index entries are considered.
     *
     * @return the entry, or empty if none fits
     */
    public Optional<Descriptor> select(Platform wanted) {
        List<Platform> ranked = acceptable(wanted);
        boolean oci = mediaType().equals(MediaTypes.OCI_INDEX);
        Descriptor best = null;
        int bestRank = Integer.MAX_VALUE;
        boolean bestZstd = false;
        for (Descriptor d : manifests) {
            if (!MediaTypes.isImageManifest(d.mediaType()) && !MediaTypes.isIndex(d.mediaType())) {
                continue;
            }
            int rank;
            if (d.platform().isPresent()) {
                rank = rank(ranked, d.platform().get());
                if (rank < 0) {
                    continue;
                }
            } else if (oci) {
                rank = Integer.MAX_VALUE;
            } else {
                continue;
            }
            boolean zstd = "true".equals(d.annotations().get(ZSTD_ANNOTATION));
            if (best == null || rank < bestRank || (rank == bestRank && zstd && !bestZstd)) {
                best = d;
                bestRank = rank;
                bestZstd = zstd;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int rank(List<Platform> ranked, Platform p) {
        for (int i = 0; i < ranked.size(); i++) {
            Platform w = ranked.get(i);
            if (w.os().equals(p.os()) && w.architecture().equals(p.architecture()) && w.variant().equals(p.variant())) {
                return i;
            }
        }
        return -1;
    }

    /** The platforms acceptable for {@code wanted}, best first (containers/image's {@code WantedPlatforms}). */
    static List<Platform> acceptable(Platform wanted) {
        List<String> compatible = COMPATIBLE_VARIANTS.getOrDefault(wanted.architecture(), List.of());
        List<String> variants = new ArrayList<>();
        if (!wanted.variant().isEmpty()) {
            int i = compatible.indexOf(wanted.variant());
            variants.addAll(i >= 0 ? compatible.subList(i, compatible.size()) : List.of(wanted.variant()));
            variants.add("");
        } else {
            variants.add("");
            variants.addAll(compatible);
        }
        List<Platform> out = new ArrayList<>(variants.size());
        variants.forEach(v -> out.add(Platform.of(wanted.os(), wanted.architecture(), v)));
        return out;
    }

    /** The entries, in the index's order. */
    public List<Descriptor> manifests() {
        return manifests;
    }

    @Override
    public String toString() {
        return "image index " + digest();
    }
}
