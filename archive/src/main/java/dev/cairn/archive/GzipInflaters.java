package dev.cairn.archive;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * The one place that chooses how a gzip layer is inflated: Intel ISA-L's igzip ({@link IsalGzipInputStream}) where
 * {@code libisal.so.2} can be loaded, else the JDK's {@link GZIPInputStream}. Both give the same bytes and refuse the
 * same damage; ISA-L takes about half the JDK's time on real layers (docs/BENCHMARKS.md, "gzip inflaters").
 *
 * <p>The choice, per stream: the system property {@value #PROPERTY}, else the environment variable {@value #ENV}:
 * <ul>
 * <li>{@code auto} (the default, also for an unknown value): ISA-L if it is available, else the JDK;</li>
 * <li>{@code jdk}: the JDK always (for A/B measurements, or to rule the native library out);</li>
 * <li>{@code isal}: ISA-L, or an {@link IOException} naming why it cannot be loaded.</li>
 * </ul>
 * Why ISA-L is unavailable is decided once per process and logged once at DEBUG level on the
 * {@code dev.cairn.archive} {@link System.Logger} (off by default); {@link #describe()} says it too. Public for the
 * benchmarks ({@code GzipInflateBenchmark}); the store reaches it through {@link TarStreamPump}. Thread-safe.
 */
public final class GzipInflaters {

    /** The system property that overrides the choice. */
    public static final String PROPERTY = "cairn.gzip";
    /** The environment variable read when the property is not set. */
    public static final String ENV = "CAIRN_GZIP";

    /** The inflaters to choose from. */
    enum Choice { AUTO, JDK, ISAL }

    private static final int JDK_BUFFER = 1 << 16;

    private GzipInflaters() {
    }

    /**
     * The inflated stream of {@code compressed}, read from its first byte. Reads the first member's header now.
     *
     * @throws java.util.zip.ZipException if it is not gzip
     * @throws java.io.EOFException if it ends inside the first header
     * @throws IOException if {@code isal} is asked for and ISA-L cannot be loaded
     */
    public static InputStream open(InputStream compressed) throws IOException {
        Choice choice = choice();
        return open(compressed, choice, choice == Choice.JDK ? null : Native.REASON);
    }

    /** {@link #open(InputStream)} with the choice and the reason ISA-L is unavailable (null if it is) given. */
    static InputStream open(InputStream compressed, Choice choice, String isalUnavailable) throws IOException {
        boolean isal = switch (choice) {
            case JDK -> false;
            case AUTO -> isalUnavailable == null;
            case ISAL -> {
                if (isalUnavailable != null) {
                    throw new IOException(PROPERTY + "/" + ENV + " = isal, but " + isalUnavailable);
                }
                yield true;
            }
        };
        return isal ? new IsalGzipInputStream(compressed) : new GZIPInputStream(compressed, JDK_BUFFER);
    }

    /** The choice the property or environment makes now. */
    static Choice choice() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            value = System.getenv(ENV);
        }
        return parse(value);
    }

    static Choice parse(String value) {
        if (value == null) {
            return Choice.AUTO;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "jdk", "zlib" -> Choice.JDK;
            case "isal", "isa-l", "igzip" -> Choice.ISAL;
            default -> Choice.AUTO;
        };
    }

    /** The inflater the next stream gets and why, for a debug line: {@code "ISA-L igzip (libisal.so.2)"} or so. */
    public static String describe() {
        Choice choice = choice();
        return describe(choice, choice == Choice.JDK ? null : Native.REASON);
    }

    static String describe(Choice choice, String isalUnavailable) {
        return switch (choice) {
            case JDK -> "the JDK's zlib (" + PROPERTY + "/" + ENV + " = jdk)";
            case ISAL, AUTO -> isalUnavailable == null ? "ISA-L igzip (" + IsalGzipInputStream.Binding.LIBRARY + ")"
                    : "the JDK's zlib (" + isalUnavailable + ")";
        };
    }

    /** Binds ISA-L on first use (never under {@code jdk}: the library is not even loaded), and logs once why not. */
    private static final class Native {
        static final String REASON = IsalGzipInputStream.Binding.unavailableReason();

        static {
            if (REASON != null) {
                System.getLogger("dev.cairn.archive").log(System.Logger.Level.DEBUG,
                        "gzip layers are inflated by the JDK's zlib: " + REASON);
            }
        }

        private Native() {
        }
    }
}
