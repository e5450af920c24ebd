package dev.cairn.projection;

import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.model.AmbiguousImageException;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.ImageId;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.JournalRecord;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The life of one image, deleted and rolled-back ones too: every record of its own ({@link Event.ImageEvent}), in
 * journal order — created, committed, names set (also when another image took a name from it), delete started,
 * deleted or rolled back. The layers it stands on have their own lives ({@link LayerHistory}). Stateless.
 */
public final class ImageHistory {

    private ImageHistory() {
    }

    /**
     * The image meant by {@code ref}: a current image's id, name or unique id prefix ({@link ImageTable#resolve});
     * else any well-formed id ({@code sha256:} allowed; the image may be gone); else the last image the journal gave
     * that name.
     *
     * @throws ImageNotFoundException  if no image ever had that id or name
     * @throws AmbiguousImageException if a prefix matches several current images
     */
    public static ImageId resolve(Journal journal, LayerIndex current, String ref) throws IOException {
        try {
            return current.images().resolve(ref).id();
        } catch (ImageNotFoundException e) {
            String hex = ref.startsWith(Digest.SHA256 + ":") ? ref.substring(Digest.SHA256.length() + 1) : ref;
            if (ImageId.isValid(hex)) {
                return ImageId.of(hex);
            }
            ImageId last = null;
            try (JournalCursor cursor = journal.read(1)) {
                for (JournalRecord r = cursor.next(); r != null; r = cursor.next()) {
                    if (r.event() instanceof Event.ImageCommitted c && c.names().contains(ref)) {
                        last = c.image();
                    } else if (r.event() instanceof Event.ImageNamesSet n && n.names().contains(ref)) {
                        last = n.image();
                    }
                }
            }
            if (last == null) {
                throw e;
            }
            return last;
        }
    }

    /** Every record of {@code image}'s own life, in journal order (one pass). */
    public static List<JournalRecord> of(Journal journal, ImageId image) throws IOException {
        List<JournalRecord> life = new ArrayList<>();
        try (JournalCursor cursor = journal.read(1)) {
            for (JournalRecord r = cursor.next(); r != null; r = cursor.next()) {
                if (r.event() instanceof Event.ImageEvent e && e.image().equals(image)) {
                    life.add(r);
                }
            }
        }
        return life;
    }
}
