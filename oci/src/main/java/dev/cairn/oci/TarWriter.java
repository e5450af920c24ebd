package dev.cairn.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the plain tar a docker-archive is: ustar headers, mode 0444 files and symlinks, owner 0, time 0, as
 * containers/image writes them; sizes of 8 GiB and more in GNU base-256, which Go's and GNU tar's readers take. Names
 * are at most 100 bytes (a docker-archive's are under 80). Not thread-safe.
 */
final class TarWriter {

    private static final int BLOCK = 512;
    private static final long MAX_OCTAL = 077777777777L;

    private final OutputStream out;

    TarWriter(OutputStream out) {
        this.out = out;
    }

    /** A regular file of {@code size} bytes, copied from {@code in}, which must hold exactly that many. */
    void file(String name, long size, InputStream in) throws IOException {
        header(name, '0', size, "");
        long copied = in.transferTo(out);
        if (copied != size) {
            throw new IOException("tar entry " + name + ": " + copied + " bytes, the header says " + size);
        }
        pad(size);
    }

    void file(String name, byte[] bytes) throws IOException {
        file(name, bytes.length, new java.io.ByteArrayInputStream(bytes));
    }

    void symlink(String name, String target) throws IOException {
        header(name, '2', 0, target);
    }

    /** The two zero blocks that end an archive. */
    void finish() throws IOException {
        out.write(new byte[2 * BLOCK]);
        out.flush();
    }

    private void header(String name, char type, long size, String link) throws IOException {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        put(h, 100, 8, type == '2' ? "0000777" : "0000444");
        put(h, 108, 8, "0000000");
        put(h, 116, 8, "0000000");
        if (size <= MAX_OCTAL) {
            put(h, 124, 12, String.format("%011o", size));
        } else {
            h[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        }
        put(h, 136, 12, "00000000000");
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, 8, String.format("%06o", sum));
        h[155] = ' ';
        out.write(h);
    }

    private void pad(long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(new byte[BLOCK - rest]);
        }
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > len) {
            throw new IllegalArgumentException("tar field too long (" + b.length + " > " + len + "): " + s);
        }
        System.arraycopy(b, 0, h, off, b.length);
    }
}
