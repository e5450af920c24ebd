package dev.cairn.projection;

import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.model.StagingId;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The life of one layer, deleted ones too: every record about it and about the stagings it was ever applied from
 * (a chain id can be deleted and made again), in journal order. Stateless.
 */
public final class LayerHistory {

    private LayerHistory() {
    }

    /**
     * The layer meant by {@code ref}: a current layer's id or name; else any well-formed id (the layer may be gone);
     * else the last layer the journal gave that name.
     *
     * @throws LayerNotFoundException if no layer ever had that id or name
     */
    public static LayerId resolve(Journal journal, LayerIndex current, String ref) throws IOException {
        Optional<LayerId> now = current.layer(ref).map(l -> l.id());
        if (now.isPresent()) {
            return now.get();
        }
        if (LayerId.isValid(ref)) {
            return LayerId.of(ref);
        }
        LayerId last = null;
        try (JournalCursor cursor = journal.read(1)) {
            for (JournalRecord r = cursor.next(); r != null; r = cursor.next()) {
                if (r.event() instanceof Event.LayerCreated c && c.names().contains(ref)) {
                    last = c.layer();
                } else if (r.event() instanceof Event.NamesSet n && n.names().contains(ref)) {
                    last = n.layer();
                }
            }
        }
        if (last == null) {
            throw new LayerNotFoundException(ref);
        }
        return last;
    }

    /**
     * Every record of {@code layer}'s life, read in one pass: a staging's records are held until it is known
     * whether the layer was applied from it, so memory stays with the stagings open at a time.
     */
    public static List<JournalRecord> of(Journal journal, LayerId layer) throws IOException {
        List<JournalRecord> life = new ArrayList<>();
        Map<StagingId, List<JournalRecord>> pending = new HashMap<>();
        Set<StagingId> ours = new HashSet<>();
        try (JournalCursor cursor = journal.read(1)) {
            for (JournalRecord r = cursor.next(); r != null; r = cursor.next()) {
                if (r.event() instanceof Event.LayerEvent e && e.layer().equals(layer)) {
                    if (e instanceof Event.LayerCreated c && c.staging() != null && ours.add(c.staging())) {
                        List<JournalRecord> before = pending.remove(c.staging());
                        if (before != null) {
                            life.addAll(before);
                        }
                    }
                    life.add(r);
                } else if (r.event() instanceof Event.StagingEvent s) {
                    if (ours.contains(s.staging())) {
                        life.add(r);
                    } else if (s instanceof Event.StagingCleaned || s instanceof Event.StagingDiscarded) {
                        pending.remove(s.staging());
                    } else {
                        pending.computeIfAbsent(s.staging(), k -> new ArrayList<>()).add(r);
                    }
                }
            }
        }
        life.sort(java.util.Comparator.comparingLong(JournalRecord::seq));
        return life;
    }
}
