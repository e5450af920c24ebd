package dev.cairn.journal;

import net.openhft.chronicle.core.time.TimeProvider;

import java.util.concurrent.TimeUnit;

/**
 * Moves the clock of every journal this JVM opens from now on by whole days, so that store tests get records in
 * several cycle files (one per UTC day) without waiting; {@link #reset()} goes back to the system clock. Lives in
 * the journal's package to reach its test seam ({@code QueueFiles.defaultClock}).
 */
public final class JournalClock {

    private JournalClock() {
    }

    /** Journals opened from now on see the time {@code days} days from now (negative: in the past). */
    public static void shiftDays(int days) {
        long offset = TimeUnit.DAYS.toMillis(days);
        QueueFiles.defaultClock = new TimeProvider() {
            @Override
            public long currentTimeMillis() {
                return System.currentTimeMillis() + offset;
            }

            @Override
            public long currentTimeMicros() {
                return currentTimeMillis() * 1000;
            }

            @Override
            public long currentTimeNanos() {
                return currentTimeMillis() * 1_000_000;
            }
        };
    }

    /** Back to the system clock. */
    public static void reset() {
        QueueFiles.defaultClock = null;
    }
}
