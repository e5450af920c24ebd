package dev.cairn.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A one-line progress display on stderr for {@code import}, {@code stage} and the image commands: percent and a bar
 * when the input's
 * size is known, bytes read otherwise, and the rate. It redraws at most every {@value #INTERVAL_MILLIS} ms, draws
 * nothing for an input that is done sooner, and ends its line on {@link #close()}.
 *
 * <p>Thread-safe: the store reports bytes from its extracting thread while the command's thread closes it.
 */
final class Progress implements LongConsumer, AutoCloseable {

    static final long INTERVAL_MILLIS = 100;
    private static final int BAR_WIDTH = 24;

    private final PrintStream err;
    private final String label;
    private final OptionalLong total;
    private final long start = System.nanoTime();
    private long lastDraw = start;
    private long bytes;
    private boolean drawn;
    private boolean closed;

    private Progress(PrintStream err, String label, OptionalLong total) {
        this.err = err;
        this.label = label;
        this.total = total;
    }

    /** A display on {@code err} when it is a terminal, else one that shows nothing. */
    static LongConsumer forInput(boolean terminal, PrintStream err, String verb, LayerInput input) {
        return of(terminal, err, verb + " " + shorten(input.label(), 28), input.size());
    }

    /** A display of {@code label} and bytes out of {@code total}, on {@code err} when it is a terminal. */
    static LongConsumer of(boolean terminal, PrintStream err, String label, OptionalLong total) {
        return terminal ? new Progress(err, label, total) : b -> { };
    }

    /** Ends the line of a display made by {@link #forInput}; nothing for the silent one. */
    static void finish(LongConsumer progress) {
        if (progress instanceof Progress p) {
            p.close();
        }
    }

    @Override
    public synchronized void accept(long bytesSoFar) {
        if (closed) {
            return;
        }
        bytes = bytesSoFar;
        long now = System.nanoTime();
        if (now - lastDraw >= TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS)) {
            lastDraw = now;
            draw(now);
        }
    }

    /** Draws the final state if anything was drawn before, and ends the line. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (drawn) {
            draw(System.nanoTime());
            err.print('\n');
            err.flush();
        }
    }

    private void draw(long now) {
        StringBuilder line = new StringBuilder("\r").append(label).append("  ");
        if (total.isPresent() && total.getAsLong() > 0) {
            long t = total.getAsLong();
            double fraction = Math.min(1.0, (double) bytes / t);
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            line.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100))).append("  ")
                    .append(Sizes.human(bytes)).append(" / ").append(Sizes.human(t));
        } else {
            line.append(Sizes.human(bytes));
        }
        double seconds = (now - start) / 1e9;
        if (seconds > 0) {
            line.append("  ").append(Sizes.human((long) (bytes / seconds))).append("/s");
        }
        line.append("\033[K"); // erase what a longer earlier line left
        err.print(line);
        err.flush();
        drawn = true;
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : "…" + s.substring(s.length() - (max - 1));
    }
}
