package dev.cairn.cli;

import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.model.StagingId;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** {@code cairn log}: the journal as an audit trail. */
@Command(name = "log", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the journal as an audit trail, oldest record first.",
                "One line per record: SEQ TIME USER@HOST[PID] TYPE KEY FIELD=VALUE...",
                "where KEY is the layer, staging or path the event is about."})
final class LogCommand extends StoreCommand {

    @Option(names = "--layer", paramLabel = "ID|NAME",
            description = {"Only the life of this layer: its own events and those of the staging it was applied "
                    + "from. A deleted layer can be named by its id or by a name it had."})
    String layer;

    @Option(names = "--json", description = "Print one JSON object per line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (LayerStore store = openForReading()) {
            if (layer == null) {
                print(store, r -> true);
                return Main.OK;
            }
            LayerId id = resolve(store, layer);
            Set<StagingId> stagings = stagingsOf(store, id);
            print(store, r -> r.event() instanceof Event.LayerEvent e ? e.layer().equals(id)
                    : r.event() instanceof Event.StagingEvent s && stagings.contains(s.staging()));
        }
        return Main.OK;
    }

    private void print(LayerStore store, java.util.function.Predicate<JournalRecord> which) throws IOException {
        try (Stream<JournalRecord> records = store.history(1)) {
            for (Iterator<JournalRecord> it = records.iterator(); it.hasNext(); ) {
                JournalRecord r = it.next();
                if (which.test(r)) {
                    out().println(json ? RecordView.jsonLine(r) : RecordView.textLine(r));
                }
            }
        }
    }

    /**
     * The layer meant: a current layer's id or name; else any well-formed id (the layer may be gone); else the
     * last layer the journal gave that name.
     */
    private static LayerId resolve(LayerStore store, String idOrName) throws IOException {
        Optional<LayerId> current = store.findLayer(idOrName).map(l -> l.id());
        if (current.isPresent()) {
            return current.get();
        }
        if (LayerId.isValid(idOrName)) {
            return LayerId.of(idOrName);
        }
        LayerId last = null;
        try (Stream<JournalRecord> records = store.history(1)) {
            for (Iterator<JournalRecord> it = records.iterator(); it.hasNext(); ) {
                Event e = it.next().event();
                if (e instanceof Event.LayerCreated c && c.names().contains(idOrName)) {
                    last = c.layer();
                } else if (e instanceof Event.NamesSet n && n.names().contains(idOrName)) {
                    last = n.layer();
                }
            }
        }
        if (last == null) {
            throw new LayerNotFoundException(idOrName);
        }
        return last;
    }

    /** The stagings the layer was ever applied from (a chain id can be deleted and made again). */
    private static Set<StagingId> stagingsOf(LayerStore store, LayerId id) throws IOException {
        Set<StagingId> found = new HashSet<>();
        try (Stream<JournalRecord> records = store.history(1)) {
            for (Iterator<JournalRecord> it = records.iterator(); it.hasNext(); ) {
                if (it.next().event() instanceof Event.LayerCreated c && c.layer().equals(id) && c.staging() != null) {
                    found.add(c.staging());
                }
            }
        }
        return found;
    }
}
