package dev.cairn.cli;

import dev.cairn.model.JournalRecord;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Iterator;
import java.util.stream.Stream;

/** {@code cairn log}: the journal as an audit trail. */
@Command(name = "log", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the journal as an audit trail, oldest record first.",
                "One line per record: SEQ TIME USER@HOST[PID] TYPE KEY FIELD=VALUE...",
                "where KEY is the layer, image, staging, path or repository the event is about."})
final class LogCommand extends StoreCommand {

    @Option(names = "--layer", paramLabel = "REF",
            description = {"Only the life of this layer: its own events and those of the staging it was applied "
                    + "from. A deleted layer can be named by its id or by a name it had."})
    String layer;

    @Option(names = "--image", paramLabel = "ID|NAME",
            description = {"Only the life of this image: created, committed, names set, deleted or rolled back. "
                    + "A deleted image can be named by its id or by a name it had."})
    String image;

    @Option(names = "--actor", paramLabel = "NAME",
            description = {"Only the records caused by NAME: the principal an embedding program (cairn serve: the "
                    + "signed-in user, or 'anonymous') acted for, else the OS user."})
    String actor;

    @Option(names = "--json", description = "Print one JSON object per line.")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (layer != null && image != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--layer and --image cannot be used together");
        }
        try (LayerStore store = openForReading()) {
            if (image != null) {
                for (JournalRecord r : store.imageHistory(image)) {
                    print(r);
                }
                return Main.OK;
            }
            if (layer == null) {
                try (Stream<JournalRecord> records = store.history(1)) {
                    for (Iterator<JournalRecord> it = records.iterator(); it.hasNext(); ) {
                        print(it.next());
                    }
                }
                return Main.OK;
            }
            for (JournalRecord r : store.layerHistory(layer)) {
                print(r);
            }
        }
        return Main.OK;
    }

    private void print(JournalRecord r) {
        if (actor != null && !actor.equals(r.actor().principal() != null ? r.actor().principal() : r.actor().user())) {
            return;
        }
        out().println(json ? RecordView.jsonLine(r) : RecordView.textLine(r));
    }
}
