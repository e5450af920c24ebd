package dev.cairn.archive;

import dev.cairn.model.Compression;
import dev.cairn.model.CorruptArchiveException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

/**
 * What can be told about a layer's input from its first block, before anything is extracted or journaled: a caller
 * (the store) refuses such an input while nothing has happened yet. Refused: an input of 0 bytes (GNU tar refuses it;
 * it is what a truncated download leaves), and an uncompressed input whose first block is no tar header. Anything
 * else is only known once it is read, by {@link LayerExtractor}, which makes the same checks. Stateless.
 */
public final class TarInput {

    private TarInput() {
    }

    /**
     * Reads the first block of {@code in} and returns a stream of all its bytes, the block included.
     *
     * @throws CorruptArchiveException if the input is empty, or is uncompressed and does not start with a tar header
     */
    public static InputStream check(InputStream in) throws IOException {
        byte[] head = in.readNBytes(TarReader.BLOCK);
        if (head.length == 0) {
            throw new CorruptArchiveException(CompressionSniffer.EMPTY_INPUT);
        }
        if (CompressionSniffer.detect(head) == Compression.NONE) {
            String notTar = CompressionSniffer.whyNotTar(java.util.Arrays.copyOf(head, TarReader.BLOCK), head.length);
            if (notTar != null) {
                throw new CorruptArchiveException(notTar);
            }
        }
        return new SequenceInputStream(new ByteArrayInputStream(head), in);
    }
}
