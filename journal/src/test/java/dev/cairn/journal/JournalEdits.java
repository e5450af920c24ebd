package dev.cairn.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Edits a real journal's files as a newer Cairn would have written them: a record inside a cycle file (found by a
 * marker in its payload) or the head checkpoint is changed and sealed again with a good CRC-32C, so that only its
 * contents, not its checksum, say what it is. The edits go through a file channel, so a journal that has the file
 * mapped sees them.
 */
final class JournalEdits {

    private JournalEdits() {
    }

    /** Writes a fresh CRC-32C of every byte before the last four into the last four; returns {@code bytes}. */
    static byte[] reseal(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }

    /** Sets the format version byte of the journal's head checkpoint in {@code dir} and re-seals it. */
    static void setHeadVersion(Path dir, int version) throws IOException {
        Path head = dir.resolve(HeadCheckpoint.FILE);
        byte[] bytes = Files.readAllBytes(head);
        bytes[4] = (byte) version;
        Files.write(head, reseal(bytes));
    }

    /** Sets the format version byte of the record holding {@code marker} and re-seals it. */
    static void setVersion(Path cycle, String marker, int version) throws IOException {
        edit(cycle, marker, record -> record[4] = (byte) version);
    }

    /** Replaces {@code from} by {@code to} (of the same length) inside the record holding {@code marker}, re-sealed. */
    static void replace(Path cycle, String marker, String from, String to) throws IOException {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        if (f.length != t.length) {
            throw new IllegalArgumentException("a replacement must keep the length");
        }
        edit(cycle, marker, record -> System.arraycopy(t, 0, record, indexOf(record, from, 0), t.length));
    }

    /** Flips one bit inside the payload of the record holding {@code marker}, without re-sealing: damage. */
    static void damage(Path cycle, String marker) throws IOException {
        byte[] file = Files.readAllBytes(cycle);
        int at = indexOf(file, marker, 0);
        write(cycle, at, new byte[]{(byte) (file[at] ^ 0x20)});
    }

    private interface Edit {
        void apply(byte[] record);
    }

    private static void edit(Path cycle, String marker, Edit edit) throws IOException {
        byte[] file = Files.readAllBytes(cycle);
        int start = recordStart(file, indexOf(file, marker, 0));
        // Chronicle's document header, just before the record: a little-endian word whose low 30 bits are the length
        int length = ByteBuffer.wrap(file, start - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0x3FFF_FFFF;
        byte[] record = java.util.Arrays.copyOfRange(file, start, start + length);
        edit.apply(record);
        write(cycle, start, reseal(record));
    }

    private static void write(Path cycle, long at, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(cycle, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b, at + b.position());
            }
        }
    }

    private static int recordStart(byte[] file, int inside) {
        for (int i = inside; i >= 0; i--) {
            if (file[i] == 'C' && file[i + 1] == 'R' && file[i + 2] == 'N' && file[i + 3] == 'J') {
                return i;
            }
        }
        throw new AssertionError("no record start before offset " + inside);
    }

    private static int indexOf(byte[] haystack, String needle, int from) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = from; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(needle + " not found");
    }
}
