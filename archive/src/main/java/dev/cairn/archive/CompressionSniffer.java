package dev.cairn.archive;

import dev.cairn.model.Compression;
import java.nio.charset.StandardCharsets;

/** Tells compressions and other formats apart by their first bytes. Stateless. */
final class CompressionSniffer {

    private CompressionSniffer() {
    }

    /** gzip is {@code 1f 8b}, zstd {@code 28 b5 2f fd}; anything else is taken for a plain tar, checked later. */
    static Compression detect(byte[] head) {
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Compression.GZIP;
        }
        if (head.length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) {
            return Compression.ZSTD;
        }
        return Compression.NONE;
    }

    /**
     * The refusal of an input of no bytes at all: GNU tar refuses it too ("does not look like a tar archive"), and a
     * 0-byte blob is what a truncated download leaves. (A compressed stream that decompresses to nothing is an empty
     * archive, as for GNU tar.)
     */
    static final String EMPTY_INPUT = "not a tar archive: the input is empty (0 bytes; a truncated download?)";

    /**
     * Why the first block of an uncompressed stream is not a tar header, or null if it is one (or is an end-of-archive
     * block). {@code length} is how many bytes of the block exist.
     */
    static String whyNotTar(byte[] block, int length) {
        if (length == 0) {
            return null;
        }
        String looks = looksLike(block, length);
        if (length < 512) {
            return "not a tar archive: the stream is only " + length + " bytes long, shorter than one 512-byte header"
                    + (looks == null ? "" : " (" + looks + ")");
        }
        boolean zero = true;
        for (int i = 0; i < 512 && zero; i++) {
            zero = block[i] == 0;
        }
        if (zero || TarReader.checksumOk(block)) {
            return null;
        }
        return looks == null ? "not a tar archive (its first 512 bytes are no tar header, nor gzip or zstd data)"
                : "not a tar archive (" + looks + ")";
    }

    private static String looksLike(byte[] b, int n) {
        if (starts(b, n, 'B', 'Z', 'h')) {
            return "the file is bzip2-compressed, which Cairn does not accept";
        }
        if (starts(b, n, 0xfd, '7', 'z', 'X', 'Z', 0)) {
            return "the file is xz-compressed, which Cairn does not accept";
        }
        if (starts(b, n, 0x04, 0x22, 0x4d, 0x18)) {
            return "the file is lz4-compressed, which Cairn does not accept";
        }
        if (starts(b, n, 0x1f, 0x8b)) {
            return "the decompressed stream is gzip data again";
        }
        if (starts(b, n, 'P', 'K', 3, 4)) {
            return "the file is a zip archive";
        }
        int printable = 0;
        int sample = Math.min(n, 512);
        for (int i = 0; i < sample; i++) {
            int c = b[i] & 0xff;
            if (c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
                printable++;
            }
        }
        if (printable == sample) {
            String text = new String(b, 0, Math.min(sample, 24), StandardCharsets.US_ASCII).replaceAll("\\s+", " ");
            return "the file starts with text: \"" + text + "\"";
        }
        return null;
    }

    private static boolean starts(byte[] b, int n, int... magic) {
        if (n < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
