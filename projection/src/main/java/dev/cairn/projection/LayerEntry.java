package dev.cairn.projection;

import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.Layer;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerState;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.StagingId;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A layer as the index knows it, in any state of the crash protocol. Immutable. Digest fields are null until the
 * layer is {@link LayerState#COMMITTED}; {@code parent} and {@code staging} are null when absent; {@code owner} is
 * the owner of the saga it is in ({@code INCOMPLETE}: the one making it, {@code REMOVING}: the one deleting it), null
 * when committed or when the saga's event had no owner (journals from before sagas had owners). {@code chainId} is
 * the OCI chain id, known from the commit on (its DiffID on its parent's chain id).
 */
public record LayerEntry(LayerId id, LayerId parent, List<String> names, Instant created, LayerState state,
                         StagingId staging, String metadata, Map<String, Object> flags, Digest diffDigest,
                         long diffSize, Digest compressedDigest, Long compressedSize, Compression compression,
                         SagaOwner owner, Digest chainId) {

    public LayerEntry {
        names = List.copyOf(names);
        metadata = metadata == null ? "" : metadata;
        flags = flags == null ? Map.of() : flags;
    }

    LayerEntry removing(SagaOwner deleter) {
        return new LayerEntry(id, parent, List.of(), created, LayerState.REMOVING, staging, metadata, flags,
                diffDigest, diffSize, compressedDigest, compressedSize, compression, deleter, chainId);
    }

    LayerEntry withNames(List<String> n) {
        return new LayerEntry(id, parent, n, created, state, staging, metadata, flags, diffDigest, diffSize,
                compressedDigest, compressedSize, compression, owner, chainId);
    }

    LayerEntry withMetadata(String m) {
        return new LayerEntry(id, parent, names, created, state, staging, m, flags, diffDigest, diffSize,
                compressedDigest, compressedSize, compression, owner, chainId);
    }

    LayerEntry withFlags(Map<String, Object> f) {
        return new LayerEntry(id, parent, names, created, state, staging, metadata, f, diffDigest, diffSize,
                compressedDigest, compressedSize, compression, owner, chainId);
    }

    LayerEntry committed(Digest diff, long dSize, Digest compressed, Long cSize, Compression c, Digest chain) {
        return new LayerEntry(id, parent, names, created, LayerState.COMMITTED, staging, metadata, flags, diff,
                dSize, compressed, cSize, c, null, chain);
    }

    public boolean isCommitted() {
        return state == LayerState.COMMITTED;
    }

    public Optional<LayerId> parentId() {
        return Optional.ofNullable(parent);
    }

    /** The public view; only meaningful for a committed layer. */
    public Layer toLayer() {
        if (!isCommitted()) {
            throw new IllegalStateException("layer " + id + " is " + state + ", not visible");
        }
        return new Layer(id, Optional.ofNullable(parent), names, created, diffDigest, diffSize,
                Optional.ofNullable(compressedDigest), Optional.ofNullable(compressedSize),
                Optional.ofNullable(compression), metadata, flags, chainId);
    }
}
