package dev.cairn.cli;

import dev.cairn.model.JournalRecord;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * A point in the journal as {@code log --since/--until} and {@code replay --until/--from/--to} take it: a record's
 * seq (a whole number, 0 the empty store), or an RFC 3339 time with its offset ({@code 2026-12-02T01:30:00Z},
 * {@code 2026-12-02T02:30:00+01:00}; a space may stand for the {@code T}, fractions of seconds are allowed), which
 * names the last record appended at or before it ({@link LayerStore#seqAt}). Immutable.
 *
 * @param seq  the seq, or -1 for a time
 * @param time the time, or null for a seq
 */
record JournalPoint(long seq, Instant time) {

    /** The seq this point names in {@code store}'s journal. */
    long seqIn(LayerStore store) throws IOException {
        return time == null ? seq : store.seqAt(time);
    }

    /** Whether this point is at or before {@code r}: {@code r}'s seq is at least it, or its time not before it. */
    boolean isAtOrBefore(JournalRecord r) {
        return time == null ? r.seq() >= seq : !r.time().isBefore(time);
    }

    /** Whether this point is at or after {@code r}: {@code r}'s seq is at most it, or its time not after it. */
    boolean isAtOrAfter(JournalRecord r) {
        return time == null ? r.seq() <= seq : !r.time().isAfter(time);
    }

    @Override
    public String toString() {
        return time == null ? "seq " + seq : time.toString();
    }

    /** The picocli converter. */
    static final class Converter implements ITypeConverter<JournalPoint> {
        @Override
        public JournalPoint convert(String value) {
            if (value.matches("\\d{1,18}")) {
                return new JournalPoint(Long.parseLong(value), null);
            }
            try {
                return new JournalPoint(-1, OffsetDateTime.parse(value.toUpperCase(Locale.ROOT).replace(' ', 'T'))
                        .toInstant());
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("'" + value + "' is neither a record's seq (a whole number) nor "
                        + "an RFC 3339 time such as 2026-12-02T01:30:00Z");
            }
        }
    }
}
