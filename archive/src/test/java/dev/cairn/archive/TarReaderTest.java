package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TarReaderTest {

    private static final byte[] TAR = TestTars.tar().file("a", "x").file("b", "y").bytes();

    private static TarReader reader(byte[] tar, ByteArrayOutputStream raw) {
        return new TarReader(new ByteArrayInputStream(tar), raw::write, 1024);
    }

    @Test
    void a_valid_archive_reads_through_and_raw_bytes_plus_content_rebuild_it() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        TarReader in = new TarReader(new ByteArrayInputStream(TAR), all::write, 1024);
        TarReader.Entry a = in.next();
        assertThat(new String(a.name, StandardCharsets.UTF_8)).isEqualTo("a");
        byte[] buf = new byte[10];
        int n = in.read(buf, 0, 10);
        all.write(buf, 0, n);
        assertThat(new String(buf, 0, n, StandardCharsets.UTF_8)).isEqualTo("x");
        assertThat(new String(in.next().name, StandardCharsets.UTF_8)).isEqualTo("b");
        assertThat(in.next()).isNull();
        assertThat(all.toByteArray()).isEqualTo(TAR); // b's unread content went to the sink
    }

    @Test
    void a_header_with_a_bad_checksum_is_an_error_not_an_entry() throws IOException {
        byte[] bad = TAR.clone();
        bad[1024 + 100] ^= 1; // the second header's mode field
        TarReader in = reader(bad, new ByteArrayOutputStream());
        in.next();
        assertThatThrownBy(in::next).hasMessageContaining("bad checksum").hasMessageContaining("byte 1024");
    }

    @Test
    void a_header_cut_short_is_an_error_not_the_end() throws IOException {
        TarReader in = reader(Arrays.copyOf(TAR, 1024 + 100), new ByteArrayOutputStream());
        in.next();
        assertThatThrownBy(in::next).isInstanceOf(EOFException.class).hasMessageContaining("100 of 512");
    }

    @Test
    void a_stream_that_ends_right_after_an_entrys_data_ends_the_archive_as_go_reads_it() throws IOException {
        // what umoci 0.4 writes: the last entry's data, then nothing (no padding, no end-of-archive blocks)
        byte[] cut = Arrays.copyOf(TAR, 1024 + 512 + 1);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        TarReader in = reader(cut, raw);

        in.next();
        assertThat(new String(in.next().name, StandardCharsets.UTF_8)).isEqualTo("b");
        assertThat(in.next()).isNull();
        assertThat(in.next()).isNull();
    }

    @Test
    void a_stream_that_ends_inside_the_padding_is_cut_short() throws IOException {
        TarReader in = reader(Arrays.copyOf(TAR, 1024 + 512 + 2), new ByteArrayOutputStream());
        in.next();
        in.next();
        assertThatThrownBy(in::next).isInstanceOf(EOFException.class).hasMessageContaining("padding");
    }

    @Test
    void content_cut_short_is_an_error() throws IOException {
        TarReader in = reader(Arrays.copyOf(TAR, 512 + 0), new ByteArrayOutputStream());
        in.next();
        assertThatThrownBy(() -> in.read(new byte[10], 0, 10)).isInstanceOf(EOFException.class);
    }

    @Test
    void a_pax_header_over_the_limit_is_refused_before_it_is_read() {
        org.apache.commons.compress.archivers.tar.TarArchiveEntry e =
                new org.apache.commons.compress.archivers.tar.TarArchiveEntry("f");
        e.addPaxHeader("comment", "v".repeat(2000));
        byte[] tar = TestTars.tar().entry(e, new byte[0]).bytes();
        assertThatThrownBy(() -> reader(tar, new ByteArrayOutputStream()).next())
                .isInstanceOf(TarReader.HeaderTooLarge.class).hasMessageContaining("maxPaxHeaderBytes");
    }

    @Test
    void numbers_are_octal_or_base_256() throws IOException {
        byte[] field = "0000777\0".getBytes(StandardCharsets.US_ASCII);
        assertThat(TarReader.numeric(field, 0, 8, 0, "mode")).isEqualTo(0777);
        byte[] big = new byte[12];
        big[0] = (byte) 0x80;
        big[11] = 5;
        big[10] = 1;
        assertThat(TarReader.numeric(big, 0, 12, 0, "size")).isEqualTo(261);
        byte[] blank = "        \0\0\0\0".getBytes(StandardCharsets.US_ASCII);
        assertThat(TarReader.numeric(blank, 0, 12, 0, "uid")).isZero();
        byte[] junk = "12x4\0\0\0\0\0\0\0\0".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TarReader.numeric(junk, 0, 12, 512, "size"))
                .hasMessageContaining("size field").hasMessageContaining("byte 512");
    }

    @Test
    void checksums_are_summed_unsigned_or_signed() {
        byte[] header = Arrays.copyOf(TAR, 512);
        assertThat(TarReader.checksumOk(header)).isTrue();
        header[0] = (byte) 0xe9;
        assertThat(TarReader.checksumOk(header)).isFalse();
        assertThat(TarReader.checksumOk(new byte[512])).isFalse();
    }

    /** One ustar header block: name, typeflag, size, checksum filled in. */
    static byte[] header(String name, char typeflag, int size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, n.length);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, "00000000000");
        h[156] = (byte) typeflag;
        put(h, 257, "ustar");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] h, int at, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    /** A tar of one empty file "f" preceded by a local PAX header holding {@code key=value}. */
    static byte[] withPaxRecord(String key, byte[] value) {
        byte[] kv = (" " + key + "=").getBytes(StandardCharsets.UTF_8);
        int body = kv.length + value.length + 1;
        int len = body + Integer.toString(body).length();
        if (Integer.toString(len).length() != Integer.toString(body).length()) {
            len++;
        }
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
        record.writeBytes(kv);
        record.writeBytes(value);
        record.write('\n');
        byte[] data = record.toByteArray();
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tar.writeBytes(header("PaxHeaders/f", 'x', data.length));
        tar.writeBytes(Arrays.copyOf(data, (data.length + 511) / 512 * 512));
        tar.writeBytes(header("f", '0', 0));
        tar.writeBytes(new byte[1024]);
        return tar.toByteArray();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"path", "linkpath", "uname", "gname"})
    void a_pax_name_holding_a_nul_byte_is_refused_because_tar_readers_disagree_on_it(String key) {
        byte[] tar = withPaxRecord(key, "visible\0hidden".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> reader(tar, new ByteArrayOutputStream()).next())
                .isInstanceOf(dev.cairn.model.CorruptArchiveException.class)
                .hasMessageContaining(key).hasMessageContaining("NUL byte at offset 7");
    }

    @Test
    void a_pax_path_without_a_nul_byte_names_the_entry() throws IOException {
        byte[] tar = withPaxRecord("path", "a/long/name".getBytes(StandardCharsets.UTF_8));

        TarReader.Entry e = reader(tar, new ByteArrayOutputStream()).next();

        assertThat(new String(e.name, StandardCharsets.UTF_8)).isEqualTo("a/long/name");
    }

    @Test
    void a_nul_byte_in_another_pax_record_is_kept_as_data() throws IOException {
        byte[] tar = withPaxRecord("SCHILY.xattr.user.bin", new byte[] {1, 0, 2});

        TarReader.Entry e = reader(tar, new ByteArrayOutputStream()).next();

        assertThat(e.xattrs.get("user.bin")).containsExactly(1, 0, 2);
    }
}
