package dev.cairn.model;

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
 */
public record Layer(LayerId id, Optional<LayerId> parent, List<String> names, Instant created, Digest diffDigest,
                    long diffSize, Optional<Digest> compressedDigest, Optional<Long> compressedSize,
                    Optional<Compression> compression, String metadata, Map<String, Object> flags) {

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
    }
}
