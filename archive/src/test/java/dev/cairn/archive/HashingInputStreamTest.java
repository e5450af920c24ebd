package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.model.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class HashingInputStreamTest {

    @Test
    void skipped_bytes_are_hashed_too() throws IOException {
        byte[] data = "0123456789".getBytes();
        HashingInputStream in = new HashingInputStream(new ByteArrayInputStream(data));

        in.read();
        in.skip(4);
        in.readAllBytes();

        assertThat(in.count()).isEqualTo(10);
        assertThat(in.digest()).isEqualTo(Digest.sha256(data));
    }
}
