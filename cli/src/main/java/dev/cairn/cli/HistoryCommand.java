package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.Event;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.store.LayerStore;
import dev.cairn.store.RecordJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/**
 * {@code cairn history}: the life of one layer (or image) told as a person reads it — staged from what and by whom,
 * applied on which parent, renamed, deleted, rolled back — deleted ones too.
 *
 * <p>Text: one line per record, {@code SEQ TIME WHO: WHAT}, {@code WHO} as {@code cairn log} writes the actor.
 * {@code --json}: one object per line, {@code cairn log --json}'s keys and {@code summary}, the sentence of the text.
 */
@Command(name = "history", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Tells the life of one layer, deleted ones too: staged from what and by whom, applied, renamed, "
                + "deleted or rolled back; or with --image (or when no layer ever had REF) of one image.",
                "One line per record: SEQ TIME WHO: WHAT."})
final class HistoryCommand extends StoreCommand {

    @Mixin
    ArchiveFiles archives;

    @Parameters(paramLabel = "REF", description = "A layer's id, unique id prefix or name; a name or id it had.")
    String ref;

    @Option(names = "--image", description = "REF names an image.")
    boolean image;

    @Option(names = "--json", description = "Print one JSON object per line: cairn log's keys and 'summary'.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<JournalRecord> life;
        try (LayerStore opened = openForReading()) {
            LayerStore store = archives.over(opened);
            life = image ? store.imageHistory(ref) : layerOrImage(store);
        }
        LifeStory story = new LifeStory();
        for (JournalRecord r : life) {
            String summary = story.tell(r);
            if (json) {
                ObjectNode o = RecordJson.toJson(r);
                o.put("summary", summary);
                out().println(o);
            } else {
                out().println(r.seq() + " " + r.time() + " " + RecordView.actor(r.actor()) + ": " + summary);
            }
        }
        return Main.OK;
    }

    /** The layer's life; if no layer ever had {@code ref}, the image's; if neither, the layer's refusal. */
    private List<JournalRecord> layerOrImage(LayerStore store) throws Exception {
        try {
            return store.layerHistory(ref);
        } catch (LayerNotFoundException noLayer) {
            try {
                return store.imageHistory(ref);
            } catch (ImageNotFoundException noImage) {
                throw noLayer;
            }
        }
    }

    /** Sentences for the records of one life, in order: it remembers the names, to say what a rename changed. */
    static final class LifeStory {
        private List<String> names = List.of();

        String tell(JournalRecord r) {
            Event e = r.event();
            if (e instanceof Event.StagingStarted s) {
                return "started staging " + s.staging() + " (process " + s.ownerPid() + " on " + s.ownerHost() + ")";
            } else if (e instanceof Event.DiffStaged s) {
                String input = s.compression() == dev.cairn.model.Compression.NONE ? "an uncompressed tarball"
                        : "a " + s.compression().label() + " tarball";
                return "staged " + s.staging() + " from " + input + " of " + s.compressedSize() + " bytes, "
                        + s.compressedDigest() + ": diff " + s.diffDigest() + ", " + s.diffSize() + " bytes";
            } else if (e instanceof Event.StagingDiscarded s) {
                return "discarded staging " + s.staging() + (s.reason() == null ? "" : ": " + s.reason());
            } else if (e instanceof Event.StagingCleaned s) {
                return "cleaned up staging " + s.staging();
            } else if (e instanceof Event.LayerCreated c) {
                names = c.names();
                return (c.staging() == null ? "began creating empty layer " + c.layer()
                        : "began applying staging " + c.staging() + " as layer " + c.layer())
                        + (c.parent() == null ? " (a base layer)" : " on parent " + c.parent())
                        + (c.names().isEmpty() ? "" : ", names " + String.join(", ", c.names()));
            } else if (e instanceof Event.LayerCommitted c) {
                return "committed layer " + c.layer() + ": diff " + c.diffDigest() + ", " + c.diffSize() + " bytes";
            } else if (e instanceof Event.LayerRolledBack b) {
                return "rolled back layer " + b.layer() + ", never committed"
                        + (b.reason() == null ? "" : ": " + b.reason());
            } else if (e instanceof Event.LayerDeleteStarted d) {
                return "began deleting layer " + d.layer();
            } else if (e instanceof Event.LayerDeleted d) {
                return "deleted layer " + d.layer();
            } else if (e instanceof Event.NamesSet n) {
                return renamed(n.names());
            } else if (e instanceof Event.MetadataSet m) {
                return "set metadata: " + m.metadata();
            } else if (e instanceof Event.FlagsSet) {
                return "set flags: " + RecordJson.toJson(r).get("flags");
            } else if (e instanceof Event.ImageCreated c) {
                names = List.of();
                return "began importing image " + c.image() + ": manifest " + c.manifestDigest() + " ("
                        + c.manifestMediaType() + "), config " + c.configDigest() + ", " + c.layers().size()
                        + (c.layers().size() == 1 ? " layer" : " layers");
            } else if (e instanceof Event.ImageCommitted c) {
                names = c.names();
                return "committed image " + c.image()
                        + (c.names().isEmpty() ? "" : ", names " + String.join(", ", c.names()));
            } else if (e instanceof Event.ImageRolledBack b) {
                return "rolled back image " + b.image() + ", never committed"
                        + (b.reason() == null ? "" : ": " + b.reason());
            } else if (e instanceof Event.ImageNamesSet n) {
                return renamed(n.names());
            } else if (e instanceof Event.ImageDeleteStarted d) {
                return "began deleting image " + d.image();
            } else if (e instanceof Event.ImageDeleted d) {
                return "deleted image " + d.image();
            } else if (e instanceof Event.OrphanRemoved o) {
                return "removed orphan " + o.path();
            } else if (e instanceof Event.JournalRepaired j) {
                return "repaired the journal after seq " + j.lastGoodSeq();
            } else if (e instanceof Event.JournalArchived a) {
                return "archived records " + a.firstSeq() + " to " + a.lastSeq() + " to " + a.archive();
            }
            return e.type();
        }

        private String renamed(List<String> now) {
            String was = names.isEmpty() ? "none" : String.join(", ", names);
            names = now;
            return "names set to " + (now.isEmpty() ? "none" : String.join(", ", now)) + " (were " + was + ")";
        }
    }
}
