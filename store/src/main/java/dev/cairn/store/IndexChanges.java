package dev.cairn.store;

import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.model.ImageId;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.Layer;
import dev.cairn.model.LayerId;
import dev.cairn.model.StagingId;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.Replay;
import dev.cairn.projection.StagingEntry;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changed in the index between two points of the journal ({@link LayerStore#changesBetween}): the index right
 * after record {@code fromSeq} compared with the index right after record {@code toSeq}. A layer made and deleted in
 * between appears nowhere (neither index has it); its records are in {@code cairn log}. Immutable.
 *
 * @param fromSeq        the earlier point (0: the empty store)
 * @param toSeq          the later point
 * @param layersAdded    committed layers at {@code toSeq} that were not at {@code fromSeq}, parents first
 * @param layersRemoved  committed layers at {@code fromSeq} that are not at {@code toSeq} (deleted), parents first
 * @param layersRenamed  layers at both points whose names differ
 * @param stagings       stagings whose state differs (started, finished, applied, cleaned up or discarded)
 * @param imagesAdded    committed images at {@code toSeq} that were not at {@code fromSeq}
 * @param imagesRemoved  committed images at {@code fromSeq} that are not at {@code toSeq}
 * @param imagesRenamed  images at both points whose names differ
 */
public record IndexChanges(long fromSeq, long toSeq, List<Layer> layersAdded, List<Layer> layersRemoved,
                           List<Renamed<LayerId>> layersRenamed, List<StagingChange> stagings,
                           List<ImageRecord> imagesAdded, List<ImageRecord> imagesRemoved,
                           List<Renamed<ImageId>> imagesRenamed) {

    public IndexChanges {
        layersAdded = List.copyOf(layersAdded);
        layersRemoved = List.copyOf(layersRemoved);
        layersRenamed = List.copyOf(layersRenamed);
        stagings = List.copyOf(stagings);
        imagesAdded = List.copyOf(imagesAdded);
        imagesRemoved = List.copyOf(imagesRemoved);
        imagesRenamed = List.copyOf(imagesRenamed);
    }

    /** A layer or image whose names were {@code before} and are {@code after}. */
    public record Renamed<I>(I id, List<String> before, List<String> after) {
        public Renamed {
            Objects.requireNonNull(id, "id");
            before = List.copyOf(before);
            after = List.copyOf(after);
        }
    }

    /**
     * A staging whose state changed: {@code before} and {@code after} are {@code started}, {@code staged},
     * {@code applied}, or null where the index had no such staging (not yet started; or cleaned up or discarded).
     */
    public record StagingChange(StagingId id, String before, String after) {
        public StagingChange {
            Objects.requireNonNull(id, "id");
        }
    }

    /** Whether nothing changed. */
    public boolean isEmpty() {
        return layersAdded.isEmpty() && layersRemoved.isEmpty() && layersRenamed.isEmpty() && stagings.isEmpty()
                && imagesAdded.isEmpty() && imagesRemoved.isEmpty() && imagesRenamed.isEmpty();
    }

    /**
     * The changes between the index after {@code fromSeq} and after {@code toSeq}, folded in one pass.
     *
     * @throws IllegalArgumentException if a seq is outside the journal or {@code fromSeq > toSeq}
     */
    static IndexChanges between(Journal journal, long fromSeq, long toSeq) throws IOException {
        if (fromSeq > toSeq) {
            throw new IllegalArgumentException("the earlier point, seq " + fromSeq + ", is after the later one, seq "
                    + toSeq);
        }
        LayerIndex from = Replay.asOf(journal, fromSeq);
        LayerIndex to = from;
        if (toSeq > fromSeq) {
            if (toSeq > journal.lastSeq()) {
                throw new IllegalArgumentException("seq " + toSeq + " is not in the journal (it ends at "
                        + journal.lastSeq() + ")");
            }
            try (JournalCursor cursor = journal.read(fromSeq + 1)) {
                while (to.seq() < toSeq) {
                    JournalRecord r = cursor.next();
                    if (r == null) {
                        throw new IOException("journal ended at seq " + to.seq() + " before seq " + toSeq + " ("
                                + journal.location() + ")");
                    }
                    to = to.apply(r);
                }
            }
        }
        return of(from, to);
    }

    /** The changes from index {@code a} to index {@code b}. */
    static IndexChanges of(LayerIndex a, LayerIndex b) {
        List<Layer> added = new ArrayList<>();
        List<Renamed<LayerId>> renamed = new ArrayList<>();
        for (Layer l : b.layers()) {
            Layer before = a.layer(l.id()).orElse(null);
            if (before == null) {
                added.add(l);
            } else if (!before.names().equals(l.names())) {
                renamed.add(new Renamed<>(l.id(), before.names(), l.names()));
            }
        }
        List<Layer> removed = a.layers().stream().filter(l -> b.layer(l.id()).isEmpty()).toList();

        Map<StagingId, StagingEntry> stagingsBefore = new LinkedHashMap<>();
        a.stagings().forEach(s -> stagingsBefore.put(s.id(), s));
        Map<StagingId, StagingEntry> stagingsAfter = new LinkedHashMap<>();
        b.stagings().forEach(s -> stagingsAfter.put(s.id(), s));
        Set<StagingId> ids = new LinkedHashSet<>(stagingsBefore.keySet());
        ids.addAll(stagingsAfter.keySet());
        List<StagingChange> stagings = new ArrayList<>();
        for (StagingId id : ids) {
            String was = state(stagingsBefore.get(id));
            String is = state(stagingsAfter.get(id));
            if (!Objects.equals(was, is)) {
                stagings.add(new StagingChange(id, was, is));
            }
        }

        List<ImageRecord> imagesAdded = new ArrayList<>();
        List<Renamed<ImageId>> imagesRenamed = new ArrayList<>();
        for (ImageRecord i : b.images().images()) {
            ImageRecord before = a.images().image(i.id()).orElse(null);
            if (before == null) {
                imagesAdded.add(i);
            } else if (!before.names().equals(i.names())) {
                imagesRenamed.add(new Renamed<>(i.id(), before.names(), i.names()));
            }
        }
        List<ImageRecord> imagesRemoved = a.images().images().stream()
                .filter(i -> b.images().image(i.id()).isEmpty()).toList();
        return new IndexChanges(a.seq(), b.seq(), added, removed, renamed, stagings, imagesAdded, imagesRemoved,
                imagesRenamed);
    }

    private static String state(StagingEntry s) {
        return s == null ? null : s.state().name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The point {@code time} names: the seq of the last record appended at or before it (0 if the first record is
     * after it), found by bisecting the seqs: about log2(lastSeq) reads of one record each, whatever the journal's
     * length. See {@link #bisect} for the exact answer when the records' clocks stepped back.
     */
    static long seqAt(Journal journal, Instant time) throws IOException {
        return bisect(journal.lastSeq(), seq -> {
            try (JournalCursor cursor = journal.read(seq)) {
                JournalRecord r = cursor.next();
                if (r == null) {
                    throw new IOException("journal has no record at seq " + seq + " although it ends at a later one ("
                            + journal.location() + ")");
                }
                return r.time();
            }
        }, time);
    }

    /** The time of the record at a seq. */
    @FunctionalInterface
    interface TimeAt {
        Instant of(long seq) throws IOException;
    }

    /**
     * Bisects the seqs {@code 0..last} for the record {@code time} names. Seq 0 counts as before every time and
     * {@code last + 1} as after every time; each step reads the record halfway between the two points known to be
     * one at or before {@code time} ({@code lo}) and one after it ({@code hi}), and moves one of them there, until
     * they are neighbours. The answer is {@code lo}: a seq stamped at or before {@code time} (or 0) whose next record
     * is stamped after it (or is none).
     *
     * <p>A record is stamped with the clock of the process that committed it, under the journal's append lock, so
     * seqs are the real order of appends. While the clocks never go back (one process, or processes on one host
     * between clock steps), stamps never decrease along the seqs, there is one such seq, and it is exactly the last
     * record stamped at or before {@code time}: what reading the whole journal would find. If a clock stepped back by
     * {@code d} (an NTP step; another host's slower clock on a shared file system), the stamps go over an interval of
     * length {@code d} twice, and a time in it has two such seqs, one in each pass: the answer is one of them, so a
     * time in a repeated interval names the end of one pass or of the other, never a seq whose next record is stamped
     * at or before it. A time outside every repeated interval is not affected.
     */
    static long bisect(long last, TimeAt timeAt, Instant time) throws IOException {
        long lo = 0;
        long hi = last + 1;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (timeAt.of(mid).isAfter(time)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return lo;
    }
}
