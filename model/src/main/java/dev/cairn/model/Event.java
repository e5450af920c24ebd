package dev.cairn.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that ever happens to a store, as a closed set of immutable facts (DESIGN.md section 3). The journal
 * holds them in order; the layer index is their fold; recovery reads unfinished sagas from them.
 *
 * <p>Each record's simple class name is its type name in the journal ({@link #type()}); renaming one is a format
 * change. Fields documented as nullable are null when absent.
 */
public sealed interface Event permits Event.LayerEvent, Event.StagingEvent, Event.OrphanRemoved,
        Event.JournalRepaired {

    /** The name this event has in the journal and in {@code cairn log}. */
    default String type() {
        return getClass().getSimpleName();
    }

    /** The event types, for decoders. */
    List<Class<? extends Event>> TYPES = List.of(
            StagingStarted.class, DiffStaged.class, StagingDiscarded.class, StagingCleaned.class,
            LayerCreated.class, LayerCommitted.class, LayerRolledBack.class,
            LayerDeleteStarted.class, LayerDeleted.class,
            NamesSet.class, MetadataSet.class, FlagsSet.class, OrphanRemoved.class,
            JournalRepaired.class);

    /** Events about one layer. */
    sealed interface LayerEvent extends Event permits LayerCreated, LayerCommitted, LayerRolledBack,
            LayerDeleteStarted, LayerDeleted, NamesSet, MetadataSet, FlagsSet {
        LayerId layer();
    }

    /** Events about one staged diff. */
    sealed interface StagingEvent extends Event permits StagingStarted, DiffStaged, StagingDiscarded,
            StagingCleaned {
        StagingId staging();
    }

    // --- stage ---------------------------------------------------------------------------------------------

    /**
     * A staging began; made durable before its folder is made. {@code ownerPid}/{@code ownerHost} name the process
     * whose lock keeps it alive while unfinished: {@code <root>/owners/<staging>} (see {@link SagaOwner#ofStaging}).
     */
    record StagingStarted(StagingId staging, long ownerPid, String ownerHost) implements StagingEvent {
        public StagingStarted {
            Objects.requireNonNull(staging, "staging");
        }
    }

    /** A staging finished: its files are durable and hashed. From here it survives its process. */
    record DiffStaged(StagingId staging, Digest diffDigest, long diffSize, Digest compressedDigest,
                      long compressedSize, Compression compression) implements StagingEvent {
        public DiffStaged {
            Objects.requireNonNull(staging, "staging");
            Objects.requireNonNull(diffDigest, "diffDigest");
            Objects.requireNonNull(compressedDigest, "compressedDigest");
            Objects.requireNonNull(compression, "compression");
        }
    }

    /** An unfinished (or too old) staging was thrown away, with why; its files are gone. */
    record StagingDiscarded(StagingId staging, String reason) implements StagingEvent {
        public StagingDiscarded {
            Objects.requireNonNull(staging, "staging");
        }
    }

    /** A staging's files were removed by cleanup (after apply, or instead of it). */
    record StagingCleaned(StagingId staging) implements StagingEvent {
        public StagingCleaned {
            Objects.requireNonNull(staging, "staging");
        }
    }

    // --- apply / create ------------------------------------------------------------------------------------

    /**
     * A layer is being made (the {@link LayerState#INCOMPLETE} state). {@code parent} and {@code staging} are
     * nullable (a base layer; an empty layer made without a diff). {@code metadata} may be null. {@code owner} is the
     * saga's owner, whose lock is held until {@code LayerCommitted} or {@code LayerRolledBack} is durable; null in
     * journals written before sagas had owners, whose apply and create ran wholly under the writers' lock.
     */
    record LayerCreated(LayerId layer, LayerId parent, List<String> names, StagingId staging, String metadata,
                        SagaOwner owner) implements LayerEvent {
        public LayerCreated {
            Objects.requireNonNull(layer, "layer");
            names = names == null ? List.of() : List.copyOf(names);
        }

        /** Without an owner, as written before sagas had owners. */
        public LayerCreated(LayerId layer, LayerId parent, List<String> names, StagingId staging, String metadata) {
            this(layer, parent, names, staging, metadata, null);
        }
    }

    /**
     * The layer's contents are durable in place: it exists. The compressed fields are null for an empty layer made
     * without a diff.
     */
    record LayerCommitted(LayerId layer, Digest diffDigest, long diffSize, Digest compressedDigest,
                          Long compressedSize, Compression compression) implements LayerEvent {
        public LayerCommitted {
            Objects.requireNonNull(layer, "layer");
            Objects.requireNonNull(diffDigest, "diffDigest");
        }
    }

    /** A layer created but never committed was removed by recovery, with why. */
    record LayerRolledBack(LayerId layer, String reason) implements LayerEvent {
        public LayerRolledBack {
            Objects.requireNonNull(layer, "layer");
        }
    }

    // --- delete ----------------------------------------------------------------------------------------------

    /**
     * A delete began: from here the layer is gone for readers. {@code owner} holds its lock until
     * {@code LayerDeleted} is durable, and names the folder in {@code trash/} the layer is removed from; null in
     * journals written before sagas had owners (the delete ran under the writers' lock).
     */
    record LayerDeleteStarted(LayerId layer, SagaOwner owner) implements LayerEvent {
        public LayerDeleteStarted {
            Objects.requireNonNull(layer, "layer");
        }

        /** Without an owner, as written before sagas had owners. */
        public LayerDeleteStarted(LayerId layer) {
            this(layer, null);
        }
    }

    /** A deleted layer's files are gone. */
    record LayerDeleted(LayerId layer) implements LayerEvent {
        public LayerDeleted {
            Objects.requireNonNull(layer, "layer");
        }
    }

    // --- attributes ------------------------------------------------------------------------------------------

    /** The layer's names are now exactly {@code names}. */
    record NamesSet(LayerId layer, List<String> names) implements LayerEvent {
        public NamesSet {
            Objects.requireNonNull(layer, "layer");
            names = names == null ? List.of() : List.copyOf(names);
        }
    }

    /** The layer's metadata is now {@code metadata}. */
    record MetadataSet(LayerId layer, String metadata) implements LayerEvent {
        public MetadataSet {
            Objects.requireNonNull(layer, "layer");
            metadata = metadata == null ? "" : metadata;
        }
    }

    /** The layer's flags are now exactly {@code flags} (string to JSON value). */
    record FlagsSet(LayerId layer, Map<String, Object> flags) implements LayerEvent {
        public FlagsSet {
            Objects.requireNonNull(layer, "layer");
            flags = flags == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(flags));
        }
    }

    // --- recovery --------------------------------------------------------------------------------------------

    /**
     * Recovery removed a file or folder under the root that no event accounted for. {@code path} is relative to
     * the store root.
     */
    record OrphanRemoved(String path, String reason) implements Event {
        public OrphanRemoved {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * {@code cairn repair} cut the journal back to its last good record, {@code lastGoodSeq}, and this record follows
     * it. {@code lostRecords} is how many records after it were dropped as far as could be counted (documents
     * Chronicle still counted, or the seq the head checkpoint remembered), {@code damage} what open reported, and
     * {@code backup} where the damaged journal was kept, relative to the store root. Changes no layer: layers whose
     * events were lost are removed by the recovery that follows, as orphans.
     */
    record JournalRepaired(long lastGoodSeq, long lostRecords, String damage, String backup) implements Event {
        public JournalRepaired {
            if (lastGoodSeq < 0 || lostRecords < 0) {
                throw new IllegalArgumentException("lastGoodSeq and lostRecords must be >= 0, were " + lastGoodSeq
                        + " and " + lostRecords);
            }
            Objects.requireNonNull(damage, "damage");
            Objects.requireNonNull(backup, "backup");
        }
    }
}
