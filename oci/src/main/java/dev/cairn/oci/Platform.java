package dev.cairn.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.InvalidImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What an image runs on: operating system and CPU architecture by their Go names ({@code GOOS}, {@code GOARCH}), an
 * optional CPU variant ({@code v7}, {@code v8}), and the optional {@code os.version} and {@code os.features} of an
 * index entry. An empty {@code variant} or {@code osVersion} means none. Immutable and thread-safe.
 *
 * <p>Which index entry a wanted platform picks is containers/image's rule, see {@link ImageIndex#select}.
 */
public record Platform(String os, String architecture, String variant, String osVersion, List<String> osFeatures) {

    private static final Pattern PART = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        variant = variant == null ? "" : variant;
        osVersion = osVersion == null ? "" : osVersion;
        osFeatures = List.copyOf(osFeatures == null ? List.of() : osFeatures);
    }

    /** A platform of OS and architecture, with a variant or {@code ""}. */
    public static Platform of(String os, String architecture, String variant) {
        return new Platform(os, architecture, variant, "", List.of());
    }

    /**
     * Parses {@code OS/ARCH[/VARIANT]} as {@code --platform} takes it, e.g. {@code linux/arm64/v8}.
     *
     * @throws IllegalArgumentException if it is not of that form
     */
    public static Platform parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("not a platform: '" + text + "' (want OS/ARCH[/VARIANT], e.g. linux/amd64)");
        }
        for (String p : parts) {
            if (!PART.matcher(p).matches()) {
                throw new IllegalArgumentException("not a platform: '" + text + "' (want OS/ARCH[/VARIANT], lowercase)");
            }
        }
        return of(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
    }

    /**
     * This machine's platform as containers/image reckons it: the JVM's OS and architecture by their Go names, and
     * for ARM on Linux the variant read from {@code /proc/cpuinfo} (none where it cannot be read).
     */
    public static Platform host() {
        String os = goOs(System.getProperty("os.name", ""));
        String arch = goArch(System.getProperty("os.arch", ""));
        String variant = "";
        if (os.equals("linux") && (arch.equals("arm") || arch.equals("arm64"))) {
            variant = armVariant(Path.of("/proc/cpuinfo"));
        } else if (os.equals("darwin") || os.equals("windows")) {
            variant = arch.equals("arm64") ? "v8" : arch.equals("arm") ? "v7" : "";
        }
        return of(os, arch, variant);
    }

    static String goOs(String osName) {
        String n = osName.toLowerCase(Locale.ROOT);
        if (n.startsWith("linux")) {
            return "linux";
        } else if (n.startsWith("mac") || n.startsWith("darwin")) {
            return "darwin";
        } else if (n.startsWith("windows")) {
            return "windows";
        }
        return n.replace(" ", "");
    }

    static String goArch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            case "mips64el" -> "mips64le";
            case "loongarch64" -> "loong64";
            default -> osArch.toLowerCase(Locale.ROOT).startsWith("arm") ? "arm" : osArch.toLowerCase(Locale.ROOT);
        };
    }

    /** The ARM variant from the kernel's "CPU architecture" line, mapped as containers/image maps it. */
    static String armVariant(Path cpuinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo);
        } catch (IOException | RuntimeException e) {
            return "";
        }
        String cpuArch = cpuinfoValue(lines, "cpu architecture");
        return switch (cpuArch.toLowerCase(Locale.ROOT)) {
            case "8", "aarch64" -> "v8";
            case "7m", "?(12)", "?(13)", "?(14)", "?(15)", "?(16)", "?(17)" -> "v7";
            case "7" -> cpuinfoValue(lines, "model name").toLowerCase(Locale.ROOT).startsWith("armv6-compatible")
                    ? "v6" : "v7";
            case "6", "6tej" -> "v6";
            case "5", "5t", "5te", "5tej" -> "v5";
            case "4", "4t" -> "v4";
            case "3" -> "v3";
            default -> "";
        };
    }

    private static String cpuinfoValue(List<String> lines, String key) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(key)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    /** Reads an index entry's {@code platform} object; {@code os} and {@code architecture} are required. */
    static Platform parse(Json json, JsonNode node, String path) throws InvalidImageException {
        return new Platform(json.string(node, "os", path), json.string(node, "architecture", path),
                json.optString(node, "variant", path).orElse(""), json.optString(node, "os.version", path).orElse(""),
                json.strings(node, "os.features", path));
    }

    ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("architecture", architecture);
        n.put("os", os);
        if (!osVersion.isEmpty()) {
            n.put("os.version", osVersion);
        }
        if (!osFeatures.isEmpty()) {
            osFeatures.forEach(n.putArray("os.features")::add);
        }
        if (!variant.isEmpty()) {
            n.put("variant", variant);
        }
        return n;
    }

    /** {@code OS/ARCH[/VARIANT]}. */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
