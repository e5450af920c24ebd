package dev.cairn.bench;

import com.github.luben.zstd.ZstdOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Lays out the inputs of {@code bench/whole-process.sh} in a cache folder and prints them as shell assignments
 * ({@code NAME='value'}, one a line) for the script to {@code eval}: the big layer of {@link LayerTarGenerator} as
 * plain tar, gzip and zstd (level 3, zstd's default), a ~10 KiB layer, and for each of the three big ones an OCI
 * image layout holding a one-layer image tagged {@code bench}, for {@code skopeo copy oci:DIR:bench ...}.
 *
 * <p>Arguments: {@code --cache DIR --mb M --files F}. Everything is made once and reused (names carry the generator
 * version and the shape).
 */
public final class WholeProcessInputs {

    private WholeProcessInputs() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = ImportBenchmark.parse(args);
        Path cache = Path.of(opt.getOrDefault("cache", "/dev/shm/cairn-bench-cache")).toAbsolutePath();
        long mb = Long.parseLong(opt.getOrDefault("mb", "200"));
        int files = Integer.parseInt(opt.getOrDefault("files", "7000"));

        LayerTarGenerator.Layers big = LayerTarGenerator.cached(cache, mb << 20, files);
        LayerTarGenerator.Layers small = LayerTarGenerator.cached(cache, 10 << 10, 4);
        Path zstd = big.tar().resolveSibling(big.tar().getFileName() + ".zst");
        if (!Files.exists(zstd)) {
            Path tmp = zstd.resolveSibling(zstd.getFileName() + ".tmp");
            try (OutputStream out = new ZstdOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16),
                    3)) {
                Files.copy(big.tar(), out);
            }
            Files.move(tmp, zstd, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        String diffId = sha256(big.tar());
        print("PLAIN", big.tar());
        print("GZIP", big.gzip());
        print("ZSTD", zstd);
        print("SMALL", small.tar());
        print("OCI_PLAIN", ociLayout(big.tar(), "application/vnd.oci.image.layer.v1.tar", diffId));
        print("OCI_GZIP", ociLayout(big.gzip(), "application/vnd.oci.image.layer.v1.tar+gzip", diffId));
        print("OCI_ZSTD", ociLayout(zstd, "application/vnd.oci.image.layer.v1.tar+zstd", diffId));
        System.out.printf(Locale.ROOT, "LAYER_FILES='%d'%nLAYER_MIB='%.0f'%nGZIP_MIB='%.0f'%nZSTD_MIB='%.0f'%n",
                big.files(), Files.size(big.tar()) / 1048576.0, Files.size(big.gzip()) / 1048576.0,
                Files.size(zstd) / 1048576.0);
    }

    private static void print(String name, Path path) {
        System.out.println(name + "='" + path.toString().replace("'", "'\\''") + "'");
    }

    /**
     * An OCI image layout beside {@code layer} with one image of that one layer: the layer blob is a hardlink to the
     * file (no copy), the config names the DiffID.
     */
    private static Path ociLayout(Path layer, String mediaType, String diffIdHex) throws IOException {
        Path dir = layer.resolveSibling(layer.getFileName() + ".oci");
        if (Files.exists(dir.resolve("index.json"))) {
            return dir;
        }
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
        Trees.delete(tmp);
        Path blobs = Files.createDirectories(tmp.resolve("blobs/sha256"));
        String layerHex = sha256(layer);
        Files.createLink(blobs.resolve(layerHex), layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"sha256:" + diffIdHex + "\"]},\"config\":{}}").getBytes(StandardCharsets.UTF_8);
        String configHex = blob(blobs, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
                + configHex + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + mediaType
                + "\",\"digest\":\"sha256:" + layerHex + "\",\"size\":" + Files.size(layer) + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        String manifestHex = blob(blobs, manifest);
        Files.writeString(tmp.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + manifestHex + "\",\"size\":"
                + manifest.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"bench\"}}]}");
        Files.writeString(tmp.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Trees.delete(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    private static String blob(Path blobs, byte[] bytes) throws IOException {
        String hex = HexFormat.of().formatHex(digest().digest(bytes));
        Files.write(blobs.resolve(hex), bytes);
        return hex;
    }

    /** The sha256 of a file's bytes. */
    private static String sha256(Path file) throws IOException {
        MessageDigest d = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
