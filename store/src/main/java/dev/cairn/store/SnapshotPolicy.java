package dev.cairn.store;

import java.time.Duration;
import java.util.Objects;

/**
 * When a writable {@link LayerStore} writes a snapshot of its index into {@code <root>/snapshots/}, so that the next
 * open folds only the journal's tail (docs/STORE.md, "Index snapshots"). Snapshots are written on a thread of their
 * own, never under the writers' lock; a read-only store never writes one. Immutable.
 *
 * @param everyRecords   a snapshot is due once the index has gained this many records since the last one
 * @param every          ... or once this much time has passed since the last one and the index has gained any record
 * @param onCloseRecords on {@link LayerStore#close()}, a snapshot is written (on the closing thread) if the index has
 *                       gained at least this many records since the newest snapshot in the folder; a short tail of a
 *                       big index is cheaper to fold than the whole index is to write
 * @param onCloseTenth   ... or, if true, at least one record and a tenth of the records the index covers: a small
 *                       index costs little to write, and a snapshot at the journal's head lets read-only queries skip
 *                       the journal's queue (see {@link #writeOnClose})
 * @param keep           how many snapshots are kept (the newest); older ones are removed after each write. At least
 *                       1; 2 leaves one to fall back to if the newest is damaged
 * @param enabled        false: no snapshot is read or written, every open folds from seq 1 ({@link #NONE})
 */
public record SnapshotPolicy(long everyRecords, Duration every, long onCloseRecords, boolean onCloseTenth, int keep,
                             boolean enabled) {

    /** Every 10,000 records or 5 minutes, on close after 1,000 records or a tenth of the index; two kept. */
    public static final SnapshotPolicy DEFAULT = new SnapshotPolicy(10_000, Duration.ofMinutes(5), 1_000, true, 2,
            true);
    /** No snapshots read or written: every open verifies and folds the journal from seq 1. */
    public static final SnapshotPolicy NONE = new SnapshotPolicy(Long.MAX_VALUE, Duration.ofDays(36500),
            Long.MAX_VALUE, false, 1, false);

    public SnapshotPolicy {
        Objects.requireNonNull(every, "every");
        if (everyRecords < 1 || onCloseRecords < 1 || keep < 1 || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("a snapshot policy needs positive counts and a positive interval: "
                    + everyRecords + ", " + every + ", " + onCloseRecords + ", keep " + keep);
        }
    }

    /**
     * Whether {@link LayerStore#close()} writes a snapshot of an index at {@code seq} when the newest snapshot is at
     * {@code newest}: the index gained {@link #onCloseRecords} records since, or (with {@link #onCloseTenth}) at
     * least one record and a tenth of {@code seq}. A snapshot costs in proportion to the records it covers, so a tenth keeps what closes spend on
     * snapshots within about ten records' worth per record appended; and a small store's snapshot then stays at the
     * head, where a read-only query answers from it without starting the journal's queue (docs/JOURNAL.md, "A
     * read-only open at the head").
     */
    public boolean writeOnClose(long seq, long newest) {
        long gained = seq - newest;
        return gained >= onCloseRecords || (onCloseTenth && gained >= 1 && gained >= seq / 10);
    }

    public SnapshotPolicy withEveryRecords(long n) {
        return new SnapshotPolicy(n, every, onCloseRecords, onCloseTenth, keep, enabled);
    }

    public SnapshotPolicy withEvery(Duration d) {
        return new SnapshotPolicy(everyRecords, d, onCloseRecords, onCloseTenth, keep, enabled);
    }

    public SnapshotPolicy withOnCloseRecords(long n) {
        return new SnapshotPolicy(everyRecords, every, n, onCloseTenth, keep, enabled);
    }

    public SnapshotPolicy withOnCloseTenth(boolean tenth) {
        return new SnapshotPolicy(everyRecords, every, onCloseRecords, tenth, keep, enabled);
    }

    public SnapshotPolicy withKeep(int k) {
        return new SnapshotPolicy(everyRecords, every, onCloseRecords, onCloseTenth, k, enabled);
    }
}
