package dev.cairn.store;

import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.StagingId;

import java.time.Instant;

/**
 * A diff that was staged: extracted, hashed and durable, waiting to be applied as a layer or cleaned up. It
 * survives its process (DESIGN.md section 3).
 */
public record StagedLayer(StagingId id, Instant staged, Digest diffDigest, long diffSize, Digest compressedDigest,
                          long compressedSize, Compression compression) {
}
