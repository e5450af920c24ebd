package dev.cairn.archive;

import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import java.util.Objects;

/**
 * What one successful {@link LayerExtractor#extract} saw. Immutable.
 *
 * @param compression      detected from the first bytes of the input
 * @param compressedDigest sha256 of every byte received, to the end of the input
 * @param compressedSize   count of bytes received
 * @param diffDigest       sha256 of the uncompressed tar stream, to its end (the OCI DiffID); equals
 *                         {@code compressedDigest} when {@code compression} is {@link Compression#NONE}
 * @param diffSize         length of the uncompressed tar stream, including bytes after its end-of-archive blocks
 * @param entryCount       tar entries seen (every line of the manifest)
 * @param fileBytes        bytes written into regular files
 */
public record ExtractResult(
        Compression compression,
        Digest compressedDigest,
        long compressedSize,
        Digest diffDigest,
        long diffSize,
        long entryCount,
        long fileBytes) {

    public ExtractResult {
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(compressedDigest, "compressedDigest");
        Objects.requireNonNull(diffDigest, "diffDigest");
    }
}
