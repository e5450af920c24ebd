package dev.cairn.cli;

import dev.cairn.model.ProgressListener;

import java.io.PrintStream;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A one-line progress display on stderr for every long command ({@code import}, {@code stage}, {@code diff},
 * {@code checkout}, {@code verify --deep}; the image commands may use it too): percent and a bar when the total is
 * known, the amount so far otherwise, and for bytes the rate. It redraws at most every {@value #INTERVAL_MILLIS} ms,
 * draws nothing for work that is done sooner, and ends its line on {@link #close()}. Only on a terminal: elsewhere
 * {@link #start} gives one that shows nothing. Every report also checks whether the process is being stopped
 * ({@link Interruption#check()}), so work that reports progress ends promptly on Ctrl-C.
 *
 * <p>Thread-safe: the store reports from its working thread while the command's thread closes it.
 */
final class Progress implements LongConsumer, ProgressListener, AutoCloseable {

    /** What is counted. */
    enum Unit {
        /** Bytes: sizes in KiB, MiB..., and a rate. */
        BYTES,
        /** Files and folders of a tree: counts. */
        ENTRIES
    }

    static final long INTERVAL_MILLIS = 100;
    private static final int BAR_WIDTH = 24;

    private final PrintStream err;
    private final String label;
    private final Unit unit;
    private OptionalLong total;
    private final long start = System.nanoTime();
    private long lastDraw = start;
    private long bytes;
    private boolean drawn;
    private boolean closed;

    private final boolean shown;

    private Progress(PrintStream err, String label, Unit unit, OptionalLong total, boolean shown) {
        this.err = err;
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.shown = shown;
    }

    /**
     * A display of {@code label} (a verb and what it works on) on {@code err} when {@code terminal}, else one that
     * shows nothing but still checks for a stop.
     */
    static Progress start(boolean terminal, PrintStream err, String label, Unit unit, OptionalLong total) {
        return new Progress(err, shorten(label, 40), unit, total, terminal);
    }

    /** The display of {@code import} and {@code stage}: bytes of the input read. */
    static Progress forInput(boolean terminal, PrintStream err, String verb, LayerInput input) {
        return start(terminal, err, verb + " " + shorten(input.label(), 28), Unit.BYTES, input.size());
    }

    /** Reports the amount done so far. */
    @Override
    public void accept(long soFar) {
        Interruption.check();
        if (shown) {
            update(soFar, null);
        }
    }

    /** Reports the amount done so far and the total, for work that learns its total as it goes. */
    @Override
    public void progress(long done, long all) {
        Interruption.check();
        if (shown) {
            update(done, all);
        }
    }

    private synchronized void update(long soFar, Long all) {
        if (closed) {
            return;
        }
        if (all != null) {
            total = OptionalLong.of(all);
        }
        bytes = soFar;
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
                    .append(amount(bytes)).append(" / ").append(amount(t));
        } else {
            line.append(amount(bytes));
        }
        double seconds = (now - start) / 1e9;
        if (seconds > 0 && unit == Unit.BYTES) {
            line.append("  ").append(Sizes.human((long) (bytes / seconds))).append("/s");
        }
        line.append("\033[K"); // erase what a longer earlier line left
        err.print(line);
        err.flush();
        drawn = true;
    }

    private String amount(long n) {
        return unit == Unit.BYTES ? Sizes.human(n) : n + " entries";
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : "…" + s.substring(s.length() - (max - 1));
    }
}
