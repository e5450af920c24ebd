package dev.cairn.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.SizeMismatchException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class VerifiedBlobStreamTest {

    private static final byte[] BLOB = TestImages.utf8("the bytes of a blob, long enough to read in parts");

    private static VerifiedBlobStream over(byte[] actual, byte[] promised) throws IOException {
        return new VerifiedBlobStream(new ByteArrayInputStream(actual), OciDigest.sha256(promised), promised.length,
                "blob under test");
    }

    @Test
    void theRightBytesStreamThroughAndVerifyAtTheEnd() throws IOException {
        try (VerifiedBlobStream in = over(BLOB, BLOB)) {
            assertThat(in.readAllBytes()).isEqualTo(BLOB);
            assertThat(in.verified()).isTrue();
            assertThat(in.count()).isEqualTo(BLOB.length);
            in.verifyToEnd();
        }
    }

    @Test
    void aDigestMismatchFailsTheReadThatMeetsTheEndAndEveryReadAfter() throws IOException {
        byte[] bad = BLOB.clone();
        bad[3] ^= 1;
        VerifiedBlobStream in = over(bad, BLOB);
        byte[] buf = new byte[BLOB.length];
        assertThat(in.readNBytes(buf, 0, buf.length)).isEqualTo(BLOB.length);
        assertThatThrownBy(in::read).isInstanceOf(DigestMismatchException.class).hasMessageContaining("blob under test")
                .hasMessageContaining(OciDigest.sha256(BLOB).toString());
        assertThatThrownBy(in::read).isInstanceOf(DigestMismatchException.class);
        assertThat(in.verified()).isFalse();
    }

    @Test
    void anOverrunFailsBeforeAnyExtraByteIsHandedOut() throws IOException {
        byte[] longer = Arrays.copyOf(BLOB, BLOB.length + 10);
        VerifiedBlobStream in = over(longer, BLOB);
        byte[] buf = new byte[longer.length];
        assertThat(in.read(buf, 0, buf.length)).isEqualTo(BLOB.length);
        assertThat(Arrays.copyOf(buf, BLOB.length)).isEqualTo(BLOB);
        assertThatThrownBy(() -> in.read(buf, 0, buf.length)).isInstanceOf(SizeMismatchException.class)
                .satisfies(e -> assertThat(((SizeMismatchException) e).expected()).isEqualTo(BLOB.length));
    }

    @Test
    void aShortBlobFailsAtItsEndWithTheSizeFound() throws IOException {
        VerifiedBlobStream in = over(Arrays.copyOf(BLOB, 10), BLOB);
        assertThatThrownBy(in::readAllBytes).isInstanceOf(SizeMismatchException.class)
                .satisfies(e -> assertThat(((SizeMismatchException) e).actual()).isEqualTo(10));
    }

    @Test
    void verifyToEndReadsWhatAConsumerLeft() throws IOException {
        byte[] bad = BLOB.clone();
        bad[bad.length - 1] ^= 1;
        VerifiedBlobStream in = over(bad, BLOB);
        in.readNBytes(5);
        assertThatThrownBy(in::verifyToEnd).isInstanceOf(DigestMismatchException.class);
    }

    @Test
    void skippedBytesAreHashedToo() throws IOException {
        byte[] bad = BLOB.clone();
        bad[1] ^= 1;
        VerifiedBlobStream in = over(bad, BLOB);
        in.skipNBytes(5);
        assertThatThrownBy(in::verifyToEnd).isInstanceOf(DigestMismatchException.class);
    }

    @Test
    void sha512DigestsAreVerifiedToo() throws IOException {
        OciDigest d = OciDigest.parse("sha512:" + "0".repeat(128));
        OciDigest real = d.withHash(d.newHasher("x").digest(BLOB));
        try (InputStream in = new VerifiedBlobStream(new ByteArrayInputStream(BLOB), real, BLOB.length, "b")) {
            assertThat(in.readAllBytes()).isEqualTo(BLOB);
        }
        VerifiedBlobStream wrong = new VerifiedBlobStream(new ByteArrayInputStream(BLOB), d, BLOB.length, "b");
        assertThatThrownBy(wrong::verifyToEnd).isInstanceOf(DigestMismatchException.class)
                .satisfies(e -> assertThat(((DigestMismatchException) e).expected()).isNull())
                .satisfies(e -> assertThat(((DigestMismatchException) e).expectedText()).isEqualTo(d.toString()));
    }
}
