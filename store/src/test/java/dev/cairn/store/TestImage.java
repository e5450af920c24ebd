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
public final class TestImage {

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

    /** {@code plain} zstd-compressed (zstd-jni, as the archive module reads it). */
    public static byte[] zstd(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (com.github.luben.zstd.ZstdOutputStream z = new com.github.luben.zstd.ZstdOutputStream(out)) {
            z.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] gzip(byte[] plain) {
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
        oci(dir, tag, tars, true, "{}");
    }

    /** What {@link #oci} wrote: the digests a store must keep, and each layer's DiffID and blob. */
    public record Written(Path dir, String tag, Digest manifest, Digest config, List<Digest> diffIds, List<Digest> blobs,
                   byte[] manifestBytes) {

        /** {@code oci:DIR:TAG}. */
        public String reference() {
            return "oci:" + dir + ":" + tag;
        }
    }

    /**
     * Writes (or adds to) an OCI image layout at {@code dir}: one image tagged {@code tag} whose layers are the given
     * uncompressed tars, bottom first, stored gzip-compressed or as they are; {@code config} is the image config's
     * {@code config} object (so that two images of the same layers can differ). Written by hand, not by the code
     * under test.
     */
    public static Written oci(Path dir, String tag, List<byte[]> tars, boolean gzip, String config) throws IOException {
        return oci(dir, tag, tars, gzip ? "gzip" : "", config);
    }

    /**
     * {@link #oci(Path, String, List, boolean, String)} with the layers stored as {@code compression} says: {@code ""}
     * (plain tar), {@code "gzip"} or {@code "zstd"} (media type {@code …layer.v1.tar+zstd}).
     */
    public static Written oci(Path dir, String tag, List<byte[]> tars, String compression, String config)
            throws IOException {
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        List<Digest> diffs = new ArrayList<>();
        List<Digest> blobDigests = new ArrayList<>();
        List<String> layers = new ArrayList<>();
        for (byte[] tar : tars) {
            byte[] stored = switch (compression) {
                case "" -> tar;
                case "gzip" -> gzip(tar);
                case "zstd" -> zstd(tar);
                default -> throw new IllegalArgumentException("compression: " + compression);
            };
            diffs.add(sha256(tar));
            Digest b = blob(blobs, stored);
            blobDigests.add(b);
            String mediaType = "application/vnd.oci.image.layer.v1.tar" + (compression.isEmpty() ? "" : "+" + compression);
            layers.add(descriptor(mediaType, b,
                    stored.length, ""));
        }
        byte[] configBytes = config(tars, config);
        Digest configDigest = blob(blobs, configBytes);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", configDigest,
                configBytes.length, "") + ",\"layers\":[" + String.join(",", layers) + "]}")
                .getBytes(StandardCharsets.UTF_8);
        Digest manifestDigest = blob(blobs, manifest);
        String entry = descriptor("application/vnd.oci.image.manifest.v1+json", manifestDigest, manifest.length,
                ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}");
        Path index = dir.resolve("index.json");
        List<String> entries = new ArrayList<>();
        if (Files.exists(index)) {
            String old = Files.readString(index);
            String inner = old.substring(old.indexOf('[') + 1, old.lastIndexOf(']')).trim();
            if (!inner.isEmpty()) {
                entries.add(inner);
            }
        }
        entries.add(entry);
        Files.writeString(index, "{\"schemaVersion\":2,\"manifests\":[" + String.join(",", entries) + "]}");
        return new Written(dir, tag, manifestDigest, configDigest, diffs, blobDigests, manifest);
    }

    /** The config {@link #oci} writes for these layers and {@code config} object. */
    public static byte[] config(List<byte[]> tars, String config) {
        List<String> diffIds = new ArrayList<>();
        for (byte[] tar : tars) {
            diffIds.add("\"" + sha256(tar) + "\"");
        }
        return ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2026-01-02T03:04:05Z\","
                + "\"config\":" + config + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + String.join(",", diffIds) + "]}}").getBytes(StandardCharsets.UTF_8);
    }

    /** The uncompressed tar of {@link TestTars#layer}. */
    public static byte[] plainTar(long seed, int files) {
        try (java.util.zip.GZIPInputStream gz = new java.util.zip.GZIPInputStream(
                new java.io.ByteArrayInputStream(TestTars.layer(seed, files)))) {
            return gz.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The layer ids containers/image gives a stack of DiffIDs, base first. */
    public static List<dev.cairn.model.LayerId> storageIds(List<Digest> diffIds) {
        List<dev.cairn.model.LayerId> ids = new ArrayList<>();
        java.util.Optional<dev.cairn.model.LayerId> parent = java.util.Optional.empty();
        for (Digest d : diffIds) {
            dev.cairn.model.LayerId id = dev.cairn.model.LayerId.forDiff(parent, d);
            ids.add(id);
            parent = java.util.Optional.of(id);
        }
        return ids;
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
