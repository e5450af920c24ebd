package dev.cairn.projection;

import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.model.AmbiguousLayerException;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNotFoundException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The life of one layer, deleted ones too: every record about it and about the stagings it was ever applied from
 * (a chain id can be deleted and made again), in journal order. Stateless.
 */
public final class LayerHistory {

    private LayerHistory() {
    }

    /**
     * The layer meant by {@code ref}: a current layer as {@link LayerIndex#resolve} finds it (id, name, unique id
     * prefix, {@code sha256:} form); else any well-formed id, also in {@code sha256:} form (the layer may be gone);
     * else the last layer the journal gave that name; else the one layer the journal ever made whose id starts with
     * that prefix.
     *
     * @throws LayerNotFoundException  if no layer ever had that id, name or prefix
     * @throws AmbiguousLayerException if a prefix matches several layers, current or ever
     */
    public static LayerId resolve(Journal journal, LayerIndex current, String ref) throws IOException {
        Optional<LayerId> now = current.find(ref).map(l -> l.id());
        if (now.isPresent()) {
            return now.get();
        }
        boolean digestForm = ref.startsWith(Digest.SHA256 + ":");
        String hex = digestForm ? ref.substring(Digest.SHA256.length() + 1) : ref;
        if (LayerId.isValid(hex)) {
            return LayerId.of(hex);
        }
        boolean prefix = hex.length() >= LayerIndex.MIN_PREFIX && hex.matches("[0-9a-f]+");
        LayerId last = null;
        java.util.TreeSet<String> matches = new java.util.TreeSet<>();
        try (JournalCursor cursor = journal.read(1)) {
            for (JournalRecord r = cursor.next(); r != null; r = cursor.next()) {
                if (r.event() instanceof Event.LayerCreated c) {
                    if (!digestForm && c.names().contains(ref)) {
                        last = c.layer();
                    }
                    if (prefix && c.layer().hex().startsWith(hex)) {
                        matches.add(c.layer().hex());
                    }
                } else if (!digestForm && r.event() instanceof Event.NamesSet n && n.names().contains(ref)) {
                    last = n.layer();
                }
            }
        }
        if (last != null) {
            return last;
        }
        if (matches.size() > 1) {
            throw new AmbiguousLayerException(ref, matches.stream().map(LayerId::of).toList());
        }
        if (matches.isEmpty()) {
            throw new LayerNotFoundException(ref);
        }
        return LayerId.of(matches.first());
    }

    /**
     * Every record of {@code layer}'s life, read in one pass ({@link LayerLife}), in seq order.
     */
    public static List<JournalRecord> of(Journal journal, LayerId layer) throws IOException {
        List<JournalRecord> life = new ArrayList<>();
        LayerLife picker = new LayerLife(layer);
        try (JournalCursor cursor = journal.read(1)) {
            for (JournalRecord r = cursor.next(); r != null; r = cursor.next()) {
                life.addAll(picker.accept(r));
            }
        }
        life.sort(java.util.Comparator.comparingLong(JournalRecord::seq));
        return life;
    }
}
