package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link IsalGzipInputStream} against {@link GZIPInputStream}: the same bytes, the same kind of refusal. Runs where
 * {@code libisal.so.2} is installed ({@code .ci/run} installs {@code libisal2}); elsewhere it is skipped, saying why,
 * and where it is installed but fails the self-test it fails.
 */
class IsalGzipInputStreamTest {

    private static final int FTEXT = 1;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    @BeforeAll
    static void isalIsInstalled() {
        String missing = IsalGzipInputStream.Binding.loadable(IsalGzipInputStream.Binding.LIBRARY);
        assumeTrue(missing == null, () -> "ISA-L is not installed: " + missing);
        // Installed but refused (a failed self-test: wrong struct offsets) is a failure, not a skip.
        assertThat(IsalGzipInputStream.Binding.unavailableReason()).isNull();
    }

    // --- the same bytes -------------------------------------------------------------------------------------------

    static Stream<Arguments> sizes() {
        int in = IsalGzipInputStream.IN_SIZE;
        int out = IsalGzipInputStream.OUT_SIZE;
        List<Arguments> cases = new ArrayList<>();
        for (int size : new int[] {0, 1, 2, 3, 100, 4095, 32768, 32769, 65539, in - 1, in, in + 1, out - 1, out,
            out + 1, 3 * out + 17}) {
            for (int level : new int[] {0, 1, 6, 9}) {
                cases.add(Arguments.of(size, level, true));
                cases.add(Arguments.of(size, level, false));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} bytes, level {1}, random {2}")
    @MethodSource("sizes")
    void inflates_every_size_and_level_to_the_bytes_the_jdk_gives(int size, int level, boolean random)
            throws IOException {
        byte[] plain = random ? random(size, size) : text(size);
        byte[] gz = member(plain, level, 0, null, null, null);

        byte[] isal = isal(gz);

        assertThat(isal).isEqualTo(plain);
        assertThat(isal).isEqualTo(new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes());
    }

    @ParameterizedTest(name = "source gives {0} bytes per read")
    @ValueSource(ints = {1, 7, 4096, 300_000})
    void input_arriving_in_small_pieces_splits_headers_blocks_and_trailers_anywhere(int piece) throws IOException {
        byte[] a = text(200_000);
        byte[] b = random(1, 70_000);
        byte[] gz = concat(member(a, 6, FNAME | FHCRC, null, "a.tar", null), member(b, 1, 0, null, null, null),
                member(new byte[0], 6, FEXTRA, new byte[] {1, 2, 3}, null, null));

        try (InputStream s = new IsalGzipInputStream(new Trickle(gz, piece))) {
            assertThat(readInPieces(s, 1000)).isEqualTo(concat(a, b));
        }
    }

    @Test
    void single_byte_reads_give_the_same_bytes() throws IOException {
        byte[] plain = text(5000);
        try (InputStream s = new IsalGzipInputStream(new ByteArrayInputStream(member(plain, 9, 0, null, null,
                null)))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int c; (c = s.read()) >= 0; ) {
                out.write(c);
            }
            assertThat(out.toByteArray()).isEqualTo(plain);
        }
    }

    @Test
    void members_of_every_size_follow_each_other_as_one_stream() throws IOException {
        Random r = new Random(7);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        for (int i = 0; i < 40; i++) {
            byte[] data = i % 3 == 0 ? text(r.nextInt(100_000)) : random(i, r.nextInt(i % 5 == 0 ? 3 : 300_000));
            gz.writeBytes(member(data, r.nextInt(10), 0, null, null, null));
            plain.writeBytes(data);
        }

        assertThat(isal(gz.toByteArray())).isEqualTo(plain.toByteArray())
                .isEqualTo(new GZIPInputStream(new ByteArrayInputStream(gz.toByteArray())).readAllBytes());
    }

    @Test
    void concatenated_empty_members_are_an_empty_stream() throws IOException {
        byte[] empty = member(new byte[0], 6, 0, null, null, null);
        assertThat(isal(concat(empty, empty, empty, empty))).isEmpty();
        assertThat(isal(concat(empty, member(text(10), 6, 0, null, null, null), empty))).isEqualTo(text(10));
    }

    @Test
    void a_tiny_last_member_is_read_where_the_jdk_may_skip_it() throws IOException {
        byte[] gz = concat(member(text(1000), 6, 0, null, null, null), member(new byte[] {'x'}, 6, 0, null, null,
                null));
        assertThat(gz.length - member(text(1000), 6, 0, null, null, null).length).isLessThanOrEqualTo(26);

        assertThat(isal(gz)).isEqualTo(concat(text(1000), new byte[] {'x'}));
    }

    static Stream<Arguments> headers() {
        byte[] extra = random(3, 300);
        return Stream.of(
                Arguments.of("none", 0, null, null, null),
                Arguments.of("FTEXT", FTEXT, null, null, null),
                Arguments.of("FEXTRA", FEXTRA, extra, null, null),
                Arguments.of("FEXTRA empty", FEXTRA, new byte[0], null, null),
                Arguments.of("FNAME", FNAME, null, "layer.tar", null),
                Arguments.of("FCOMMENT", FCOMMENT, null, null, "a comment"),
                Arguments.of("FHCRC", FHCRC, null, null, null),
                Arguments.of("all", FTEXT | FHCRC | FEXTRA | FNAME | FCOMMENT, extra, "n", "c"),
                Arguments.of("reserved bits (ignored, as by the JDK)", 0xe0 | FNAME, null, "n", null));
    }

    @ParameterizedTest(name = "header flags {0}")
    @MethodSource("headers")
    void every_header_flag_is_read_past(String label, int flags, byte[] extra, String name, String comment)
            throws IOException {
        byte[] plain = text(70_000);
        byte[] one = member(plain, 6, flags, extra, name, comment);
        byte[] gz = concat(one, one);

        assertThat(isal(gz)).isEqualTo(concat(plain, plain))
                .isEqualTo(new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes());
    }

    // --- the same refusals ----------------------------------------------------------------------------------------

    @Test
    void a_wrong_crc_in_the_trailer_is_refused_naming_the_member() throws IOException {
        byte[] first = member(text(1000), 6, 0, null, null, null);
        byte[] second = member(random(5, 100_000), 6, 0, null, null, null);
        second[second.length - 8] ^= 1;
        byte[] gz = concat(first, second);

        assertSameRefusal(gz, ZipException.class);
        assertThatThrownBy(() -> isal(gz)).isInstanceOf(ZipException.class)
                .hasMessageContaining("CRC-32 mismatch in gzip member 2");
    }

    @Test
    void a_wrong_length_in_the_trailer_is_refused() throws IOException {
        byte[] gz = member(text(1000), 6, 0, null, null, null);
        gz[gz.length - 4] ^= 1;

        assertSameRefusal(gz, ZipException.class);
        assertThatThrownBy(() -> isal(gz)).hasMessageContaining("length mismatch in gzip member 1");
    }

    @Test
    void a_damaged_deflate_stream_is_refused_and_never_passes_as_data() throws IOException {
        byte[] plain = random(9, 200_000);
        byte[] good = member(plain, 6, 0, null, null, null);
        Random r = new Random(11);
        for (int i = 0; i < 200; i++) {
            byte[] bad = good.clone();
            int at = 10 + r.nextInt(bad.length - 18);
            bad[at] ^= (byte) (1 + r.nextInt(255));
            Throwable jdk = outcome(() -> new GZIPInputStream(new ByteArrayInputStream(bad)).readAllBytes());
            Throwable isal = outcome(() -> isal(bad));
            assertThat(isal).as("flip at %d", at).isInstanceOf(IOException.class);
            assertThat(jdk).as("flip at %d", at).isInstanceOf(IOException.class);
        }
    }

    @Test
    void every_truncation_is_an_eof_exception() throws IOException {
        byte[] plain = text(3000);
        byte[] gz = member(plain, 6, FNAME | FCOMMENT | FHCRC | FEXTRA, new byte[] {9, 9}, "name", "comment");
        for (int cut = 0; cut < gz.length; cut++) {
            byte[] part = Arrays.copyOf(gz, cut);
            assertSameRefusal(part, EOFException.class);
        }
    }

    @Test
    void a_truncated_second_member_is_an_eof_exception() throws IOException {
        byte[] first = member(text(1000), 6, 0, null, null, null);
        byte[] second = member(random(2, 10_000), 6, 0, null, null, null);
        byte[] gz = Arrays.copyOf(concat(first, second), first.length + second.length - 100);

        assertSameRefusal(gz, EOFException.class);
        assertThatThrownBy(() -> isal(gz)).hasMessageContaining("gzip member 2");
    }

    @Test
    void not_gzip_and_another_method_are_refused_at_the_first_header() {
        assertSameRefusal("PK\3\4 not gzip at all, long enough".getBytes(StandardCharsets.US_ASCII),
                ZipException.class);
        byte[] gz = member(text(10), 6, 0, null, null, null);
        gz[2] = 7;
        assertSameRefusal(gz, ZipException.class);
        assertThatThrownBy(() -> isal(gz)).hasMessageContaining("method 7");
    }

    @Test
    void a_wrong_header_crc_is_refused() {
        byte[] gz = member(text(10), 6, FHCRC | FNAME, null, "x", null);
        gz[10] = 'y';
        assertSameRefusal(gz, ZipException.class);
        assertThatThrownBy(() -> isal(gz)).hasMessageContaining("header CRC mismatch in gzip member 1");
    }

    static Stream<Arguments> trailingBytes() {
        return Stream.of(
                Arguments.of("zeros", new byte[512]),
                Arguments.of("text", "trailing garbage that is not gzip".getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("one magic byte", new byte[] {0x1f}),
                Arguments.of("magic and a wrong method", new byte[] {0x1f, (byte) 0x8b, 7, 0, 0, 0, 0, 0, 0, 0, 0}),
                Arguments.of("a header cut short", new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0}),
                Arguments.of("a header with a bad crc", badHeaderCrc()));
    }

    @ParameterizedTest(name = "after the members: {0}")
    @MethodSource("trailingBytes")
    void bytes_after_the_last_member_that_are_no_gzip_header_end_the_stream(String label, byte[] trailing)
            throws IOException {
        byte[] plain = text(100_000);
        byte[] gz = concat(member(plain, 6, 0, null, null, null), trailing);

        assertThat(isal(gz)).isEqualTo(plain)
                .isEqualTo(new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes());
    }

    @Test
    void a_valid_header_after_a_member_with_damaged_data_behind_it_is_refused() {
        byte[] header = Arrays.copyOf(member(new byte[0], 6, 0, null, null, null), 10);
        byte[] junk = new byte[100];
        Arrays.fill(junk, (byte) 0xff);
        byte[] gz = concat(member(text(100), 6, 0, null, null, null), header, junk);

        assertSameRefusal(gz, ZipException.class);
    }

    @Test
    void a_failing_source_is_never_taken_for_the_end_of_the_members() throws IOException {
        byte[] gz = member(text(1000), 6, 0, null, null, null);
        InputStream failing = new java.io.SequenceInputStream(new ByteArrayInputStream(gz), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        });
        try (InputStream s = new IsalGzipInputStream(failing)) {
            assertThatThrownBy(s::readAllBytes).isInstanceOf(IOException.class).hasMessage("connection reset");
        }
    }

    @Test
    void after_the_end_reads_stay_at_the_end_and_after_a_failure_they_fail() throws IOException {
        try (InputStream s = new IsalGzipInputStream(new ByteArrayInputStream(member(text(10), 6, 0, null, null,
                null)))) {
            assertThat(s.readAllBytes()).isEqualTo(text(10));
            assertThat(s.read()).isEqualTo(-1);
            assertThat(s.read(new byte[5])).isEqualTo(-1);
        }
        byte[] bad = member(text(1000), 6, 0, null, null, null);
        bad[bad.length - 8] ^= 1;
        try (InputStream s = new IsalGzipInputStream(new ByteArrayInputStream(bad))) {
            assertThatThrownBy(s::readAllBytes).isInstanceOf(ZipException.class);
            assertThatThrownBy(s::read).isInstanceOf(IOException.class).hasMessageContaining("failed earlier");
        }
    }

    @Test
    void a_closed_stream_refuses_reads() throws IOException {
        InputStream s = new IsalGzipInputStream(new ByteArrayInputStream(member(text(10), 6, 0, null, null, null)));
        s.close();
        s.close();
        assertThatThrownBy(() -> s.read(new byte[1])).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    /** Both inflaters refuse {@code gz} with an exception of {@code type} (or a subtype). */
    private static void assertSameRefusal(byte[] gz, Class<? extends IOException> type) {
        Throwable jdk = outcome(() -> new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes());
        Throwable isal = outcome(() -> isal(gz));
        assertThat(jdk).as("the JDK's refusal").isInstanceOf(type);
        assertThat(isal).as("ISA-L's refusal").isInstanceOf(type);
    }

    private interface Read {
        byte[] run() throws IOException;
    }

    private static Throwable outcome(Read read) {
        try {
            read.run();
            return null;
        } catch (IOException | RuntimeException e) {
            return e;
        }
    }

    private static byte[] isal(byte[] gz) throws IOException {
        try (InputStream s = new IsalGzipInputStream(new ByteArrayInputStream(gz))) {
            return s.readAllBytes();
        }
    }

    private static byte[] readInPieces(InputStream s, int piece) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[piece];
        for (int n; (n = s.read(buf, 0, buf.length)) >= 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** One gzip member with the header fields given; {@code level} 0 stores, 9 compresses best. */
    static byte[] member(byte[] plain, int level, int flags, byte[] extra, String name, String comment) {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, (byte) flags, 1, 2, 3, 4, 0, 3});
        if ((flags & FEXTRA) != 0) {
            header.write(extra.length & 0xff);
            header.write(extra.length >>> 8);
            header.writeBytes(extra);
        }
        if ((flags & FNAME) != 0) {
            header.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
            header.write(0);
        }
        if ((flags & FCOMMENT) != 0) {
            header.writeBytes(comment.getBytes(StandardCharsets.ISO_8859_1));
            header.write(0);
        }
        if ((flags & FHCRC) != 0) {
            CRC32 crc = new CRC32();
            crc.update(header.toByteArray());
            header.write((int) crc.getValue() & 0xff);
            header.write((int) (crc.getValue() >>> 8) & 0xff);
        }
        Deflater deflater = new Deflater(level, true);
        deflater.setInput(plain);
        deflater.finish();
        byte[] buf = new byte[1 << 16];
        while (!deflater.finished()) {
            header.write(buf, 0, deflater.deflate(buf));
        }
        deflater.end();
        CRC32 crc = new CRC32();
        crc.update(plain);
        writeLe32(header, crc.getValue());
        writeLe32(header, plain.length);
        return header.toByteArray();
    }

    private static byte[] badHeaderCrc() {
        byte[] gz = member(text(100), 6, FHCRC, null, null, null);
        gz[10] ^= 1;
        return gz;
    }

    private static void writeLe32(ByteArrayOutputStream out, long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Compressible text: words from a small vocabulary, as in a tar of source files. */
    static byte[] text(int size) {
        String[] words = {"layer", "tar", "cairn ", "journal\n", "the ", "of ", "import ", "digest ", "{ ", "} "};
        Random r = new Random(size);
        StringBuilder s = new StringBuilder(size + 16);
        while (s.length() < size) {
            s.append(words[r.nextInt(words.length)]);
        }
        return s.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A source that gives at most {@code piece} bytes per read and reports nothing available. */
    private static final class Trickle extends InputStream {
        private final byte[] data;
        private final int piece;
        private int pos;

        Trickle(byte[] data, int piece) {
            this.data = data;
            this.piece = piece;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, piece), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
