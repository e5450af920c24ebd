package dev.cairn.cli;

import dev.cairn.store.StoreOptions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ages on the command line, as podman's {@code --filter until=} and Go take them: a whole number and a unit,
 * {@code 90s}, {@code 30m}, {@code 12h}, {@code 7d}; {@code 0} alone is no time at all.
 */
final class Durations implements ITypeConverter<Duration> {

    /** What recovery keeps a finished staging for unless told otherwise (StoreOptions' default), for help texts. */
    static final String DEFAULT_STAGING_AGE = "7d";

    private static final Pattern AGE = Pattern.compile("(\\d{1,9})([smhd])");

    @Override
    public Duration convert(String value) {
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = AGE.matcher(value);
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not an age: give a whole number and a unit, "
                    + "s, m, h or d (e.g. 12h, 7d), or 0");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The store options with this staging age, or the defaults when none was given. */
    static StoreOptions options(Duration stagingAge) {
        return stagingAge == null ? StoreOptions.defaults() : StoreOptions.defaults().withStagingMaxAge(stagingAge);
    }
}
