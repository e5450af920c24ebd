package dev.cairn.store;

import dev.cairn.model.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A multi-layer image made by the tests: layer tars built entry by entry, and the same image written as an OCI
 * image layout (oci-layout, index.json, manifest, config with diff_ids, gzip layer blobs) for other tools to read.
 */
final class TestImage {

    /** One layer's tar, being built. Times are whole seconds so that every tool keeps them exactly. */
    static final class Layer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream tar;
        private long time;

        Layer(Instant start) {
            tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            time = start.getEpochSecond();
        }

        private TarArchiveEntry entry(String name, byte type, int mode) {
            TarArchiveEntry e = new TarArchiveEntry(name, type);
            e.setMode(mode);
            e.setModTime((time += 97) * 1000);
            return e;
        }

        Layer dir(String name, int mode) {
            return put(entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, mode), null);
        }

        Layer dir(String name, int mode, int uid, int gid) {
            TarArchiveEntry e = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, mode);
            e.setIds(uid, gid);
            return put(e, null);
        }

        Layer file(String name, int mode, String content) {
            return file(name, mode, content.getBytes(StandardCharsets.UTF_8), 0, 0);
        }

        Layer file(String name, int mode, byte[] content, int uid, int gid) {
            TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, mode);
            e.setSize(content.length);
            e.setIds(uid, gid);
            return put(e, content);
        }

        Layer whiteout(String name) {
            return file(name, 0644, "");
        }

        Layer symlink(String name, String target) {
            TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, 0777);
            e.setLinkName(target);
            return put(e, null);
        }

        Layer hardlink(String name, String target) {
            TarArchiveEntry e = entry(name, TarConstants.LF_LINK, 0644);
            e.setLinkName(target);
            return put(e, null);
        }

        Layer fifo(String name, int mode) {
            return put(entry(name, TarConstants.LF_FIFO, mode), null);
        }

        Layer charDevice(String name, int mode, int major, int minor) {
            TarArchiveEntry e = entry(name, TarConstants.LF_CHR, mode);
            e.setDevMajor(major);
            e.setDevMinor(minor);
            return put(e, null);
        }

        /** Files of random sizes, modes and owners under {@code dir} (which this adds). */
        Layer randomFiles(String dir, long seed, int count) {
            Random r = new Random(seed);
            dir(dir, 0755);
            int[] modes = {0644, 0600, 0755, 0444, 04755, 02755, 0640};
            for (int i = 0; i < count; i++) {
                byte[] content = new byte[r.nextInt(3) == 0 ? r.nextInt(200_000) : r.nextInt(2000)];
                r.nextBytes(content);
                file(dir + "/f" + i, modes[r.nextInt(modes.length)], content, r.nextInt(3) * 1000, r.nextInt(3) * 100);
            }
            return this;
        }

        private Layer put(TarArchiveEntry e, byte[] content) {
            try {
                tar.putArchiveEntry(e);
                if (content != null) {
                    tar.write(content);
                }
                tar.closeArchiveEntry();
                return this;
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }

        /** The finished, uncompressed tar. */
        byte[] tar() {
            try {
                tar.close();
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
            return bytes.toByteArray();
        }
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return out.toByteArray();
    }

    static Digest sha256(byte[] bytes) {
        try {
            return Digest.ofBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes an OCI image layout at {@code dir} holding one image tagged {@code tag} whose layers are the given
     * uncompressed tars, bottom first, stored gzip-compressed.
     */
    static void writeOciLayout(Path dir, String tag, List<byte[]> tars) throws IOException {
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        List<String> diffIds = new ArrayList<>();
        List<String> layers = new ArrayList<>();
        for (byte[] tar : tars) {
            byte[] gz = gzip(tar);
            diffIds.add("\"" + sha256(tar) + "\"");
            layers.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", blob(blobs, gz), gz.length, ""));
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", blob(blobs, config),
                config.length, "") + ",\"layers\":[" + String.join(",", layers) + "]}")
                .getBytes(StandardCharsets.UTF_8);
        String index = "{\"schemaVersion\":2,\"manifests\":[" + descriptor(
                "application/vnd.oci.image.manifest.v1+json", blob(blobs, manifest), manifest.length,
                ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}") + "]}";
        Files.writeString(dir.resolve("index.json"), index);
    }

    private static Digest blob(Path blobs, byte[] content) throws IOException {
        Digest d = sha256(content);
        Files.write(blobs.resolve(d.hex()), content);
        return d;
    }

    private static String descriptor(String mediaType, Digest digest, long size, String extra) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + extra + "}";
    }
}
