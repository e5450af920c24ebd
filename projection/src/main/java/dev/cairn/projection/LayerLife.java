package dev.cairn.projection;

import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.StagingId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The records of one layer's life picked out of the journal as it is read, one record at a time (so it works on a
 * journal being followed as well as on its history): the layer's own records, and those of every staging it was
 * applied from. A staging's records are held until it is known whether the layer is applied from it — its
 * {@code LayerCreated} — and dropped when the staging ends without that; memory stays with the stagings open at a time.
 * Feed it every record in seq order. Not thread-safe.
 */
public final class LayerLife {

    private final LayerId layer;
    private final Map<StagingId, List<JournalRecord>> pending = new HashMap<>();
    private final Set<StagingId> ours = new HashSet<>();

    public LayerLife(LayerId layer) {
        this.layer = layer;
    }

    /** The layer whose life this is. */
    public LayerId layer() {
        return layer;
    }

    /**
     * The records of the life that {@code r} makes known: none; {@code r} alone; or, for the {@code LayerCreated}
     * that applies a staging, the staging's held records (older, in seq order) followed by {@code r}.
     */
    public List<JournalRecord> accept(JournalRecord r) {
        if (r.event() instanceof Event.LayerEvent e && e.layer().equals(layer)) {
            List<JournalRecord> out = new ArrayList<>(1);
            if (e instanceof Event.LayerCreated c && c.staging() != null && ours.add(c.staging())) {
                List<JournalRecord> before = pending.remove(c.staging());
                if (before != null) {
                    out.addAll(before);
                }
            }
            out.add(r);
            return out;
        }
        if (r.event() instanceof Event.StagingEvent s) {
            if (ours.contains(s.staging())) {
                return List.of(r);
            }
            if (s instanceof Event.StagingCleaned || s instanceof Event.StagingDiscarded) {
                pending.remove(s.staging());
            } else {
                pending.computeIfAbsent(s.staging(), k -> new ArrayList<>()).add(r);
            }
        }
        return List.of();
    }
}
