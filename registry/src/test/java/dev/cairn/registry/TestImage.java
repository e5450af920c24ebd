package dev.cairn.registry;

import dev.cairn.oci.Descriptor;
import dev.cairn.oci.ImageManifest;
import dev.cairn.oci.MediaTypes;
import dev.cairn.oci.OciDigest;
import dev.cairn.oci.OciLayoutWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** A small real image (gzip layers of real tars, a config with their DiffIDs) written as an OCI layout. */
final class TestImage {

    private TestImage() {
    }

    /**
     * Writes an image of {@code layers} layers, each a tar of one file of {@code bytesPerLayer} random bytes, to
     * {@code dir} tagged {@code tag}.
     *
     * @return the manifest's descriptor
     */
    static Descriptor write(Path dir, String tag, int layers, int bytesPerLayer, long seed) throws IOException {
        OciLayoutWriter w = OciLayoutWriter.open(dir);
        Random random = new Random(seed);
        List<Descriptor> layerDescriptors = new ArrayList<>();
        StringBuilder diffIds = new StringBuilder();
        for (int i = 0; i < layers; i++) {
            byte[] content = new byte[bytesPerLayer];
            random.nextBytes(content);
            byte[] tar = tar("layer" + i + "/data", content);
            diffIds.append(i == 0 ? "" : ",").append('"').append(OciDigest.sha256(tar)).append('"');
            layerDescriptors.add(w.putBlob("application/vnd.oci.image.layer.v1.tar+gzip", gzip(tar)));
        }
        byte[] config = ("{\"created\":\"2026-01-01T00:00:00Z\",\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        Descriptor c = w.putBlob(MediaTypes.OCI_CONFIG, config);
        ImageManifest m = ImageManifest.write(MediaTypes.OCI_MANIFEST, c, layerDescriptors);
        Descriptor md = w.putManifest(m);
        w.tag(md, tag);
        return md;
    }

    static byte[] tar(String name, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(content.length);
            e.setMode(0644);
            t.putArchiveEntry(e);
            t.write(content);
            t.closeArchiveEntry();
            t.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
