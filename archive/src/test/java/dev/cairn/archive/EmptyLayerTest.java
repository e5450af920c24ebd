package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.model.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

class EmptyLayerTest {

    @Test
    void the_empty_layer_is_two_zero_blocks() {
        assertThat(EmptyLayer.tar()).hasSize(1024).containsOnly(0);
        assertThat(Digest.sha256(EmptyLayer.tar())).isEqualTo(EmptyLayer.DIFF_DIGEST);
    }

    @Test
    void a_tar_writer_with_512_byte_records_writes_the_same_bytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TarArchiveOutputStream(out, 512).close();

        assertThat(out.toByteArray()).isEqualTo(EmptyLayer.tar());
    }
}
