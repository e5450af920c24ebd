package dev.cairn.cli;

import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.store.ArchivedRecords;
import dev.cairn.store.LayerStore;
import dev.cairn.store.LifeSelector;
import dev.cairn.store.RecordSubscription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code cairn log}: the journal as an audit trail, filtered, and followed as other processes append.
 *
 * <p>Filters combine (a record is printed when it passes all of them): {@code --layer} or {@code --image} pick one
 * life; {@code --type} the event types; {@code --actor} who; {@code --since}/{@code --until} a range of seqs or times;
 * {@code --limit} the first N that pass. {@code --follow} prints the history and then every record as it becomes
 * durable, each exactly once and in seq order (a {@link RecordSubscription}), until interrupted, until a record past
 * {@code --until}, or until {@code --limit} records were printed.
 */
@Command(name = "log", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the journal as an audit trail, oldest record first.",
                "One line per record: SEQ TIME USER@HOST[PID]{principal=P,request=R,client=C,reason=W} TYPE KEY "
                        + "FIELD=VALUE...",
                "where KEY is the layer, image, staging, path or repository the event is about. Filters combine."})
final class LogCommand extends StoreCommand {

    @Mixin
    ArchiveFiles archives;

    /** The event type names, by their lower-case spelling (--type takes any case). */
    private static final Map<String, String> TYPES = Event.TYPES.stream().map(Class::getSimpleName)
            .collect(Collectors.toMap(t -> t.toLowerCase(Locale.ROOT), Function.identity(), (a, b) -> a,
                    java.util.LinkedHashMap::new));

    /** How long one wait for new records lasts while following; the loop goes on until stopped. */
    private static final Duration FOLLOW_WAIT = Duration.ofMillis(500);

    @Option(names = "--layer", paramLabel = "REF",
            description = {"Only the life of this layer: its own events and those of the staging it was applied "
                    + "from. A deleted layer can be named by its id or by a name it had."})
    String layer;

    @Option(names = "--image", paramLabel = "ID|NAME",
            description = {"Only the life of this image: created, committed, names set, deleted or rolled back. "
                    + "A deleted image can be named by its id or by a name it had."})
    String image;

    @Option(names = "--type", paramLabel = "TYPE", split = ",",
            description = {"Only records of this event type (e.g. LayerCommitted; any case). Repeat it or give a "
                    + "comma list for several."})
    List<String> types = new ArrayList<>();

    @Option(names = "--actor", paramLabel = "TEXT",
            description = {"Only records whose actor's user, principal or request id is exactly TEXT (cairn serve "
                    + "journals the signed-in user, or 'anonymous', as the principal)."})
    String actor;

    @Option(names = "--since", paramLabel = "SEQ|TIME", converter = JournalPoint.Converter.class,
            description = {"Only records from this seq on, or appended at or after this RFC 3339 time "
                    + "(2026-12-02T01:30:00Z)."})
    JournalPoint since;

    @Option(names = "--until", paramLabel = "SEQ|TIME", converter = JournalPoint.Converter.class,
            description = "Only records up to this seq, or appended at or before this time.")
    JournalPoint until;

    @Option(names = {"-n", "--limit"}, paramLabel = "N",
            description = "Print at most the first N records that pass the filters.")
    Integer limit;

    @Option(names = {"-f", "--follow"},
            description = {"After the history, keep printing records as they are appended (by any process), "
                    + "until interrupted (Ctrl-C), a record past --until, or --limit records."})
    boolean follow;

    @Option(names = "--json", description = "Print one JSON object per line (keys: docs/CLI.md, \"log\").")
    boolean json;

    @Spec
    CommandSpec spec;

    private Set<String> typeNames;
    private LifeSelector life = LifeSelector.all();
    private long printed;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        try (LayerStore opened = openForReading()) {
            LayerStore store = archives.over(opened);
            if (layer != null) {
                life = LifeSelector.ofLayer(store.layerIdEver(layer));
            } else if (image != null) {
                life = LifeSelector.ofImage(store.imageIdEver(image));
            }
            long from = !life.needsWholeJournal() && since != null && since.time() == null
                    ? Math.max(1, since.seq()) : 1;
            Optional<ArchivedRecords> archived = store.archivedRecords();
            if (archives.files.isEmpty() && archived.isPresent() && from < archived.get().firstKeptSeq()) {
                note("records before seq " + archived.get().firstKeptSeq() + " are in archive "
                        + archived.get().archive() + " (give it with --archive to read them)");
                from = archived.get().firstKeptSeq();
            }
            if (follow) {
                follow(store, from);
            } else {
                history(store, from);
            }
        }
        return Main.OK;
    }

    private void checkOptions() {
        if (layer != null && image != null) {
            throw new ParameterException(spec.commandLine(), "--layer and --image cannot be used together");
        }
        if (limit != null && limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit: give 1 or more, not " + limit);
        }
        if (!types.isEmpty()) {
            typeNames = new LinkedHashSet<>();
            for (String t : types) {
                String name = TYPES.get(t.strip().toLowerCase(Locale.ROOT));
                if (name == null) {
                    throw new ParameterException(spec.commandLine(), "--type: unknown event type '" + t
                            + "' (the types are " + String.join(", ", TYPES.values()) + ")");
                }
                typeNames.add(name);
            }
        }
    }

    /** The journal as it stands: streamed, except a layer's life, which is put in seq order first. */
    private void history(LayerStore store, long from) throws Exception {
        try (Stream<JournalRecord> records = store.history(from)) {
            List<JournalRecord> life = new ArrayList<>();
            for (Iterator<JournalRecord> it = records.iterator(); it.hasNext(); ) {
                JournalRecord r = it.next();
                if (until != null && until.time() == null && r.seq() > until.seq()) {
                    break;
                }
                for (JournalRecord s : select(r)) {
                    if (this.life.needsWholeJournal()) {
                        life.add(s);
                    } else if (!print(s)) {
                        return;
                    }
                }
            }
            life.sort(Comparator.comparingLong(JournalRecord::seq));
            for (JournalRecord s : life) {
                if (!print(s)) {
                    return;
                }
            }
        }
    }

    /**
     * The history up to the journal's end as this subscription finds it, then every record as it becomes durable.
     * One subscription serves both, so nothing falls between them.
     */
    private void follow(LayerStore store, long from) throws Exception {
        try (RecordSubscription records = store.subscribe(Math.min(from, store.lastSeq() + 1))) {
            List<JournalRecord> batch = new ArrayList<>();
            for (JournalRecord r = records.poll(); r != null; r = records.poll()) {
                if (r.seq() >= from) {
                    batch.addAll(select(r));
                } else {
                    select(r);
                }
            }
            batch.sort(Comparator.comparingLong(JournalRecord::seq));
            for (JournalRecord s : batch) {
                if (!print(s)) {
                    return;
                }
            }
            out().flush();
            if (until != null && until.time() == null && records.nextSeq() > until.seq()) {
                return; // the journal is past --until already: nothing to wait for
            }
            while (!Interruption.stopping()) {
                JournalRecord r = records.next(FOLLOW_WAIT);
                if (r == null) {
                    continue;
                }
                if (until != null && !until.isAtOrAfter(r)) {
                    return;
                }
                if (r.seq() < from) {
                    select(r);
                    continue;
                }
                for (JournalRecord s : select(r)) {
                    if (!print(s)) {
                        return;
                    }
                }
                out().flush();
            }
        }
    }

    /** The records {@code r} makes known of the life asked for (no --layer or --image: {@code r} itself). */
    private List<JournalRecord> select(JournalRecord r) {
        return life.accept(r);
    }

    private boolean passes(JournalRecord r) {
        return (typeNames == null || typeNames.contains(r.event().type()))
                && (actor == null || r.actor().isNamedBy(actor))
                && (since == null || since.isAtOrBefore(r))
                && (until == null || until.isAtOrAfter(r));
    }

    /**
     * Prints {@code r} if it passes the filters.
     *
     * @return whether more may be printed (false once --limit records were)
     */
    private boolean print(JournalRecord r) {
        if (limit != null && printed >= limit) {
            return false;
        }
        if (passes(r)) {
            out().println(json ? RecordView.jsonLine(r) : RecordView.textLine(r));
            printed++;
        }
        return limit == null || printed < limit;
    }
}
