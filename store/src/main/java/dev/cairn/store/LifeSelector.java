package dev.cairn.store;

import dev.cairn.model.Event;
import dev.cairn.model.ImageId;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.projection.LayerLife;

import java.util.List;

/**
 * Picks the records of one life out of the journal as it is read, one record at a time — its history or a
 * {@link RecordSubscription} — as {@link LayerStore#layerHistory} and {@link LayerStore#imageHistory} pick them from
 * the whole journal: for a layer, its own records and those of every staging it was applied from (a staging's records
 * are held back until the layer is applied from it, so read from seq 1); for an image, its own records. Feed it every
 * record in seq order. Not thread-safe.
 */
public final class LifeSelector {

    private final LayerLife layer;
    private final ImageId image;

    private LifeSelector(LayerLife layer, ImageId image) {
        this.layer = layer;
        this.image = image;
    }

    /** Every record: no selection. */
    public static LifeSelector all() {
        return new LifeSelector(null, null);
    }

    /** One layer's life ({@link LayerStore#layerIdEver} names a layer, deleted ones too). */
    public static LifeSelector ofLayer(LayerId id) {
        return new LifeSelector(new LayerLife(id), null);
    }

    /** One image's life ({@link LayerStore#imageIdEver}). */
    public static LifeSelector ofImage(ImageId id) {
        return new LifeSelector(null, id);
    }

    /** Whether records must be fed from seq 1 (a layer's life), or any start will do. */
    public boolean needsWholeJournal() {
        return layer != null;
    }

    /**
     * The records of the life that {@code r} makes known: none, {@code r}, or for a layer's {@code LayerCreated} from a
     * staging the staging's held records (older, in seq order) and then {@code r}.
     */
    public List<JournalRecord> accept(JournalRecord r) {
        if (layer != null) {
            return layer.accept(r);
        }
        if (image != null) {
            return r.event() instanceof Event.ImageEvent e && e.image().equals(image) ? List.of(r) : List.of();
        }
        return List.of(r);
    }
}
