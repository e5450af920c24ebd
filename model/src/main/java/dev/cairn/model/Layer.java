package dev.cairn.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A committed layer as readers see it (DESIGN.md section 2). Immutable.
 *
 * @param id               the layer's id
 * @param parent           the layer below it, if any
 * @param names            unique names across the store, in the order they were given
 * @param created          when {@code LayerCreated} was journaled
 * @param diffDigest       sha256 of the uncompressed tar: the OCI DiffID
 * @param diffSize         bytes of the uncompressed tar
 * @param compressedDigest sha256 of the bytes as received; empty for an empty layer made without a diff
 * @param compressedSize   bytes as received; empty with {@code compressedDigest}
 * @param compression      compression of the bytes as received; empty with {@code compressedDigest}
 * @param metadata         free text, empty string when unset
 * @param flags            string to JSON value (String, Number, Boolean, List, Map or null)
 * @param chainId          the OCI chain id of the layer and its parents ({@link #chainId(Optional, Digest)}); lookups
 *                         accept it besides the id
 */
public record Layer(LayerId id, Optional<LayerId> parent, List<String> names, Instant created, Digest diffDigest,
                    long diffSize, Optional<Digest> compressedDigest, Optional<Long> compressedSize,
                    Optional<Compression> compression, String metadata, Map<String, Object> flags,
                    Digest chainId) {

    public Layer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(parent, "parent");
        names = List.copyOf(names);
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(diffDigest, "diffDigest");
        Objects.requireNonNull(compressedDigest, "compressedDigest");
        Objects.requireNonNull(compressedSize, "compressedSize");
        Objects.requireNonNull(compression, "compression");
        metadata = metadata == null ? "" : metadata;
        flags = flags == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(flags));
        Objects.requireNonNull(chainId, "chainId");
    }

    /**
     * The OCI chain id (image spec, config.md) of a layer whose DiffID is {@code diffId} on a parent whose chain id is
     * {@code parentChainId}: for a base layer its DiffID, else {@code sha256("sha256:<parent> sha256:<diffId>")}. It
     * names a stack of diffs whatever ids the layers have; containerd and Docker name layers by it.
     */
    public static Digest chainId(Optional<Digest> parentChainId, Digest diffId) {
        if (parentChainId.isEmpty()) {
            return diffId;
        }
        String text = parentChainId.get() + " " + diffId;
        return Digest.sha256(text.getBytes(StandardCharsets.US_ASCII));
    }
}
