package dev.cairn.oci;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Test images made by the tests: layer tars built from name/content pairs, and OCI image layouts written file by file
 * (so that a test can write any document, valid or not, exactly as it wants it).
 */
final class TestImages {

    private TestImages() {
    }

    /** An uncompressed tar of regular files: name, content, name, content, ... (mtime fixed, so bytes repeat). */
    static byte[] tar(String... nameContent) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name())) {
            for (int i = 0; i < nameContent.length; i += 2) {
                byte[] content = nameContent[i + 1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(nameContent[i]);
                e.setSize(content.length);
                e.setMode(0644);
                e.setModTime(1_700_000_000_000L);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static OciDigest sha256(byte[] b) {
        return OciDigest.sha256(b);
    }

    /** A descriptor's JSON. */
    static String descriptor(String mediaType, byte[] content) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + sha256(content) + "\",\"size\":" + content.length
                + "}";
    }

    /** An OCI image config of the given DiffIDs, for linux/amd64 unless told otherwise. */
    static byte[] config(String os, String arch, List<byte[]> tars) {
        List<String> ids = new ArrayList<>();
        tars.forEach(t -> ids.add("\"" + sha256(t) + "\""));
        return utf8("{\"architecture\":\"" + arch + "\",\"os\":\"" + os + "\",\"created\":\"2024-05-01T10:00:00Z\","
                + "\"config\":{\"Env\":[\"PATH=/usr/bin\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + String.join(",", ids) + "]},\"history\":[{\"created_by\":\"test\"}]}");
    }

    /** An OCI layout written file by file, blob by blob. */
    static final class Layout {
        final Path dir;
        private final List<String> entries = new ArrayList<>();

        Layout(Path dir) throws IOException {
            this.dir = dir;
            Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            writeIndex();
        }

        /** Stores a blob under its sha256 and returns that digest. */
        OciDigest blob(byte[] content) throws IOException {
            OciDigest d = sha256(content);
            Files.write(dir.resolve("blobs/sha256").resolve(d.encoded()), content);
            return d;
        }

        /**
         * Stores an image (gzip layers, OCI config and manifest) and returns the manifest's bytes (not yet in
         * index.json).
         */
        byte[] image(String os, String arch, List<byte[]> tars) throws IOException {
            List<String> layers = new ArrayList<>();
            for (byte[] t : tars) {
                byte[] gz = gzip(t);
                blob(gz);
                layers.add(descriptor(LayerMediaType.OCI_TAR_GZIP.mediaType(), gz));
            }
            byte[] config = config(os, arch, tars);
            blob(config);
            byte[] manifest = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                    + "\",\"config\":" + descriptor(MediaTypes.OCI_CONFIG, config) + ",\"layers\":["
                    + String.join(",", layers) + "]}");
            blob(manifest);
            return manifest;
        }

        /** Adds an index.json entry: a descriptor of the bytes, with extra JSON members (e.g. annotations). */
        Layout entry(String mediaType, byte[] content, String extra) throws IOException {
            String d = descriptor(mediaType, content);
            entries.add(extra.isEmpty() ? d : d.substring(0, d.length() - 1) + "," + extra + "}");
            writeIndex();
            return this;
        }

        Layout tagged(byte[] manifest, String tag) throws IOException {
            return entry(MediaTypes.OCI_MANIFEST, manifest,
                    "\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}");
        }

        private void writeIndex() throws IOException {
            Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX
                    + "\",\"manifests\":[" + String.join(",", entries) + "]}");
        }
    }
}
