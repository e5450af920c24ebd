package dev.cairn.projection;

import dev.cairn.model.AmbiguousLayerException;
import dev.cairn.model.Digest;
import dev.cairn.model.Event.DiffStaged;
import dev.cairn.model.Event.FlagsSet;
import dev.cairn.model.Event.LayerCommitted;
import dev.cairn.model.Event.LayerCreated;
import dev.cairn.model.Event.LayerDeleteStarted;
import dev.cairn.model.Event.LayerDeleted;
import dev.cairn.model.Event.LayerRolledBack;
import dev.cairn.model.Event.MetadataSet;
import dev.cairn.model.Event.NamesSet;
import dev.cairn.model.Event.OrphanRemoved;
import dev.cairn.model.Event.StagingCleaned;
import dev.cairn.model.Event.StagingDiscarded;
import dev.cairn.model.Event.StagingStarted;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.Layer;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.model.LayerState;
import dev.cairn.model.OpenSaga;
import dev.cairn.model.StagingId;
import io.vavr.collection.HashMap;
import io.vavr.collection.HashSet;
import io.vavr.collection.Map;
import io.vavr.collection.Set;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The layer index: a pure fold of journal records (DESIGN.md section 5), {@code index' = index.apply(record)}.
 * Every instance is an immutable value built on persistent collections, so a reader holding one never blocks a
 * writer making the next, and "the store as of seq N" is simply the fold stopped at N.
 *
 * <p>It holds every layer that is not yet deleted, in whatever state of the crash protocol, and every staging that
 * is not yet cleaned up or discarded. Queries for readers ({@link #layer}, {@link #layers}, the digest lookups)
 * see only {@link LayerState#COMMITTED} layers. Names are held from {@code LayerCreated} until the layer is rolled
 * back or its deletion starts, so no two layers in any state share a name.
 *
 * <p>It also keeps the open sagas apart ({@link #openSagas()}): layers {@code INCOMPLETE} or {@code REMOVING} and
 * stagings {@code STARTED}, so that a writer asking whether some saga is unfinished pays for the open sagas only,
 * never for the size of the store. All its state is plain persistent data (maps and sets of records), the form a
 * snapshot writes.
 *
 * <p>The fold never fails on an event that does not fit (a commit for an unknown layer, say): the journal is the
 * truth and the store only writes events that fit, so such an event is ignored rather than making the history
 * unreadable. Thread-safe (immutable).
 */
public final class LayerIndex {

    private static final LayerIndex EMPTY = new LayerIndex(0, HashMap.empty(), HashMap.empty(), HashMap.empty(),
            HashMap.empty(), HashMap.empty(), HashMap.empty(), HashSet.empty(), HashSet.empty(), HashMap.empty(),
            ImageTable.EMPTY, RegistryTable.EMPTY, null);

    private final long seq;
    private final Map<LayerId, LayerEntry> layers;
    /*
     * The five lookups below are derived from the layers. In an index read from a snapshot each is null until a fold
     * step changes it: until then it is what the snapshot's layers make it, derived once on first use (pending).
     * Read them through nameMap() ... chainMap(), never the fields.
     */
    private final Map<String, LayerId> names;
    private final Map<LayerId, Set<LayerId>> children;
    private final Map<Digest, Set<LayerId>> byDiffDigest;
    private final Map<Digest, Set<LayerId>> byCompressedDigest;
    private final Map<StagingId, StagingEntry> stagings;
    /** Layers {@code INCOMPLETE} or {@code REMOVING}: the layer sagas without their end event. */
    private final Set<LayerId> unfinished;
    /** Stagings {@code STARTED}: the stages without their end event. */
    private final Set<StagingId> started;
    /** Committed layers by their OCI chain id. */
    private final Map<Digest, Set<LayerId>> byChainId;
    private final ImageTable images;
    private final RegistryTable registry;
    /** The lookups of the snapshot this index was read from, derived on first use; null for a fold from seq 1. */
    private final Pending pending;

    private LayerIndex(long seq, Map<LayerId, LayerEntry> layers, Map<String, LayerId> names,
                       Map<LayerId, Set<LayerId>> children, Map<Digest, Set<LayerId>> byDiffDigest,
                       Map<Digest, Set<LayerId>> byCompressedDigest, Map<StagingId, StagingEntry> stagings,
                       Set<LayerId> unfinished, Set<StagingId> started, Map<Digest, Set<LayerId>> byChainId,
                       ImageTable images, RegistryTable registry, Pending pending) {
        // Once every lookup is held, the snapshot's layers (which Pending keeps) need not stay reachable.
        this.pending = names != null && children != null && byDiffDigest != null && byCompressedDigest != null
                && byChainId != null ? null : pending;
        this.seq = seq;
        this.layers = layers;
        this.names = names;
        this.children = children;
        this.byDiffDigest = byDiffDigest;
        this.byCompressedDigest = byCompressedDigest;
        this.stagings = stagings;
        this.unfinished = unfinished;
        this.started = started;
        this.byChainId = byChainId;
        this.images = images;
        this.registry = registry;
    }

    /** The index of an empty journal. */
    public static LayerIndex empty() {
        return EMPTY;
    }

    /** Folds {@code records} (in seq order, starting right after {@link #seq()}) onto this index. */
    public LayerIndex applyAll(Iterable<JournalRecord> records) {
        LayerIndex index = this;
        for (JournalRecord r : records) {
            index = index.apply(r);
        }
        return index;
    }

    /** The seq of the last record folded in; 0 for the empty index. */
    public long seq() {
        return seq;
    }

    /**
     * The index after {@code record}.
     *
     * @throws IllegalArgumentException if {@code record} is not the one right after {@link #seq()}
     */
    public LayerIndex apply(JournalRecord record) {
        if (record.seq() != seq + 1) {
            throw new IllegalArgumentException("record seq " + record.seq() + " does not follow index seq " + seq);
        }
        return next(record.seq()).fold(record.event(), record.time());
    }

    private LayerIndex next(long newSeq) {
        return new LayerIndex(newSeq, layers, names, children, byDiffDigest, byCompressedDigest, stagings, unfinished,
                started, byChainId, images, registry, pending);
    }

    private LayerIndex fold(Event event, Instant time) {
        if (event instanceof StagingStarted e) {
            StagingEntry s = new StagingEntry(e.staging(), StagingState.STARTED, e.ownerPid(), e.ownerHost(), time,
                    null, null, 0, null, 0, null, null, e.ephemeral());
            return withStagings(stagings.put(e.staging(), s), started.add(e.staging()));
        }
        if (event instanceof DiffStaged e) {
            return stagings.get(e.staging()).filter(s -> s.state() == StagingState.STARTED)
                    .map(s -> withStagings(stagings.put(s.id(), new StagingEntry(s.id(), StagingState.STAGED,
                            s.ownerPid(), s.ownerHost(), s.started(), time, e.diffDigest(), e.diffSize(),
                            e.compressedDigest(), e.compressedSize(), e.compression(), null, s.ephemeral())),
                            started.remove(s.id())))
                    .getOrElse(this);
        }
        if (event instanceof StagingDiscarded e) {
            return withStagings(stagings.remove(e.staging()), started.remove(e.staging()));
        }
        if (event instanceof StagingCleaned e) {
            return withStagings(stagings.remove(e.staging()), started.remove(e.staging()));
        }
        if (event instanceof LayerCreated e) {
            return created(e, time);
        }
        if (event instanceof LayerCommitted e) {
            return committed(e);
        }
        if (event instanceof LayerRolledBack e) {
            return layers.get(e.layer()).map(l -> {
                LayerIndex without = removeLayer(l);
                if (l.staging() == null) {
                    return without;
                }
                return without.stagings.get(l.staging())
                        .filter(s -> e.layer().equals(s.pendingLayer()) && s.state() == StagingState.STAGED)
                        .map(s -> without.withStagings(without.stagings.put(s.id(), s.with(StagingState.STAGED, null)),
                                without.started))
                        .getOrElse(without);
            }).getOrElse(this);
        }
        if (event instanceof LayerDeleteStarted e) {
            return layers.get(e.layer()).filter(LayerEntry::isCommitted).map(l -> {
                LayerIndex u = unindexDigests(l);
                return new LayerIndex(seq, u.layers.put(l.id(), l.removing(e.owner())), nameMap().removeAll(l.names()),
                        children, u.byDiffDigest, u.byCompressedDigest, stagings, unfinished.add(l.id()), started,
                        u.byChainId, images, registry, pending);
            }).getOrElse(this);
        }
        if (event instanceof LayerDeleted e) {
            return layers.get(e.layer()).map(this::removeLayer).getOrElse(this);
        }
        if (event instanceof NamesSet e) {
            return layers.get(e.layer()).map(l -> {
                Map<String, LayerId> n = nameMap().removeAll(l.names());
                for (String name : e.names()) {
                    n = n.put(name, l.id());
                }
                return withLayer(l.withNames(e.names()), n);
            }).getOrElse(this);
        }
        if (event instanceof MetadataSet e) {
            return layers.get(e.layer()).map(l -> withLayer(l.withMetadata(e.metadata()), names)).getOrElse(this);
        }
        if (event instanceof FlagsSet e) {
            return layers.get(e.layer()).map(l -> withLayer(l.withFlags(e.flags()), names)).getOrElse(this);
        }
        if (event instanceof Event.ImageEvent e) {
            ImageTable next = images.fold(e, time, l -> layers.get(l).map(LayerEntry::diffSize).getOrElse(0L));
            return new LayerIndex(seq, layers, names, children, byDiffDigest, byCompressedDigest, stagings, unfinished,
                    started, byChainId, next, registry, pending);
        }
        if (event instanceof Event.RepositoryEvent e) {
            return new LayerIndex(seq, layers, names, children, byDiffDigest, byCompressedDigest, stagings, unfinished,
                    started, byChainId, images, registry.fold(e, time), pending);
        }
        if (event instanceof OrphanRemoved || event instanceof Event.JournalRepaired
                || event instanceof Event.JournalArchived) {
            return this;
        }
        throw new IllegalStateException("unhandled event type " + event.type());
    }

    private LayerIndex created(LayerCreated e, Instant time) {
        if (layers.containsKey(e.layer())) {
            return this;
        }
        LayerEntry entry = new LayerEntry(e.layer(), e.parent(), e.names(), time, LayerState.INCOMPLETE,
                e.staging(), e.metadata(), null, null, 0, null, null, null, e.owner(), null);
        Map<String, LayerId> n = nameMap();
        for (String name : e.names()) {
            n = n.put(name, e.layer());
        }
        Map<LayerId, Set<LayerId>> c = e.parent() == null ? children
                : childMap().put(e.parent(), childMap().get(e.parent()).getOrElse(HashSet.empty()).add(e.layer()));
        Map<StagingId, StagingEntry> s = e.staging() == null ? stagings
                : stagings.get(e.staging()).map(st -> stagings.put(st.id(), st.with(st.state(), e.layer())))
                .getOrElse(stagings);
        return new LayerIndex(seq, layers.put(e.layer(), entry), n, c, byDiffDigest, byCompressedDigest, s,
                unfinished.add(e.layer()), started, byChainId, images, registry, pending);
    }

    private LayerIndex committed(LayerCommitted e) {
        return layers.get(e.layer()).filter(l -> l.state() == LayerState.INCOMPLETE).map(l -> {
            LayerEntry done = l.committed(e.diffDigest(), e.diffSize(), e.compressedDigest(), e.compressedSize(),
                    e.compression(), chainIdOf(l.parent(), e.diffDigest()));
            Map<Digest, Set<LayerId>> d = addTo(diffMap(), e.diffDigest(), l.id());
            Map<Digest, Set<LayerId>> cd = e.compressedDigest() == null ? byCompressedDigest
                    : addTo(compressedMap(), e.compressedDigest(), l.id());
            Map<StagingId, StagingEntry> s = l.staging() == null ? stagings
                    : stagings.get(l.staging()).map(st -> stagings.put(st.id(), st.with(StagingState.APPLIED, l.id())))
                    .getOrElse(stagings);
            return new LayerIndex(seq, layers.put(l.id(), done), names, children, d, cd, s, unfinished.remove(l.id()),
                    started, addTo(chainMap(), done.chainId(), l.id()), images, registry, pending);
        }).getOrElse(this);
    }

    /**
     * The chain id of a diff on {@code parent}. The store commits a layer only on a committed parent, so the parent's
     * chain id is known; for a journal where it is not (never written by Cairn), the parent's id stands in for it.
     */
    private Digest chainIdOf(LayerId parent, Digest diff) {
        if (parent == null) {
            return Layer.chainId(Optional.empty(), diff);
        }
        Digest parentChain = layers.get(parent).map(LayerEntry::chainId).filter(c -> c != null)
                .getOrElse(() -> new Digest(parent.hex()));
        return Layer.chainId(Optional.of(parentChain), diff);
    }

    private LayerIndex removeLayer(LayerEntry l) {
        LayerIndex u = unindexDigests(l);
        Map<LayerId, Set<LayerId>> c = u.childMap().remove(l.id());
        if (l.parent() != null) {
            Set<LayerId> siblings = c.get(l.parent()).getOrElse(HashSet.empty()).remove(l.id());
            c = siblings.isEmpty() ? c.remove(l.parent()) : c.put(l.parent(), siblings);
        }
        Map<String, LayerId> n = u.nameMap();
        for (String name : l.names()) {
            if (n.get(name).contains(l.id())) {
                n = n.remove(name);
            }
        }
        return new LayerIndex(seq, u.layers.remove(l.id()), n, c, u.byDiffDigest, u.byCompressedDigest, u.stagings,
                unfinished.remove(l.id()), started, u.byChainId, images, registry, pending);
    }

    private LayerIndex unindexDigests(LayerEntry l) {
        Map<Digest, Set<LayerId>> d = l.diffDigest() == null ? byDiffDigest : removeFrom(diffMap(), l.diffDigest(), l.id());
        Map<Digest, Set<LayerId>> cd = l.compressedDigest() == null ? byCompressedDigest
                : removeFrom(compressedMap(), l.compressedDigest(), l.id());
        Map<Digest, Set<LayerId>> ch = l.chainId() == null ? byChainId : removeFrom(chainMap(), l.chainId(), l.id());
        return new LayerIndex(seq, layers, names, children, d, cd, stagings, unfinished, started, ch, images, registry,
                pending);
    }

    private static Map<Digest, Set<LayerId>> addTo(Map<Digest, Set<LayerId>> m, Digest d, LayerId id) {
        return m.put(d, m.get(d).getOrElse(HashSet.empty()).add(id));
    }

    private static Map<Digest, Set<LayerId>> removeFrom(Map<Digest, Set<LayerId>> m, Digest d, LayerId id) {
        Set<LayerId> rest = m.get(d).getOrElse(HashSet.empty()).remove(id);
        return rest.isEmpty() ? m.remove(d) : m.put(d, rest);
    }

    private LayerIndex withLayer(LayerEntry l, Map<String, LayerId> n) {
        return new LayerIndex(seq, layers.put(l.id(), l), n, children, byDiffDigest, byCompressedDigest, stagings,
                unfinished, started, byChainId, images, registry, pending);
    }

    private LayerIndex withStagings(Map<StagingId, StagingEntry> s, Set<StagingId> st) {
        return new LayerIndex(seq, layers, names, children, byDiffDigest, byCompressedDigest, s, unfinished, st,
                byChainId, images, registry, pending);
    }

    // --- the primary state and the index rebuilt from it, for snapshots (IndexSnapshot) -------------------------

    /** Every layer not yet deleted, by id: with {@link #stagingMap()} and the images, all a snapshot must keep. */
    Map<LayerId, LayerEntry> layerMap() {
        return layers;
    }

    /** Every staging not yet cleaned up or discarded, by id. */
    Map<StagingId, StagingEntry> stagingMap() {
        return stagings;
    }

    /**
     * The index at {@code seq} holding these layers, stagings and images, with everything else derived from them as
     * the fold keeps it: names held by each layer, children by parent, committed layers by their digests and chain
     * id, the open sagas. For a journal Cairn wrote this is exactly the fold's index (a snapshot's writer checks
     * that it is before writing, {@link IndexSnapshot#of}).
     */
    static LayerIndex rebuilt(long seq, Map<LayerId, LayerEntry> layers, List<LayerEntry> listed,
                              Map<StagingId, StagingEntry> stagings, ImageTable images, RegistryTable registry) {
        Set<LayerId> unfinished = HashSet.empty();
        for (java.util.Iterator<LayerEntry> it = layers.valuesIterator(); it.hasNext(); ) {
            LayerEntry l = it.next();
            if (!l.isCommitted()) {
                unfinished = unfinished.add(l.id());
            }
        }
        Set<StagingId> started = HashSet.empty();
        for (StagingEntry st : stagings.values()) {
            if (st.state() == StagingState.STARTED) {
                started = started.add(st.id());
            }
        }
        return new LayerIndex(seq, layers, null, null, null, null, stagings, unfinished, started, null, images,
                registry, new Pending(layers, listed));
    }

    /** The index with every lookup derived now (for measuring what it holds). */
    LayerIndex materialized() {
        return new LayerIndex(seq, layers, nameMap(), childMap(), diffMap(), compressedMap(), stagings, unfinished,
                started, chainMap(), images, registry, null);
    }

    private Map<String, LayerId> nameMap() {
        return names != null ? names : pending.get().names;
    }

    private Map<LayerId, Set<LayerId>> childMap() {
        return children != null ? children : pending.get().children;
    }

    private Map<Digest, Set<LayerId>> diffMap() {
        return byDiffDigest != null ? byDiffDigest : pending.get().byDiffDigest;
    }

    private Map<Digest, Set<LayerId>> compressedMap() {
        return byCompressedDigest != null ? byCompressedDigest : pending.get().byCompressedDigest;
    }

    private Map<Digest, Set<LayerId>> chainMap() {
        return byChainId != null ? byChainId : pending.get().byChainId;
    }

    /**
     * The lookups a snapshot's layers make, derived on first use, once, for every index folded from it: names held
     * by each layer, children by parent, committed layers by their digests and chain id. So an open from a snapshot
     * builds only the layers map, and a query that needs a lookup pays for it once. Thread-safe.
     */
    private static final class Pending {
        private final Map<LayerId, LayerEntry> layers;
        /** The same layers in {@link #LISTING_ORDER}, as the snapshot held them; null if it held them otherwise. */
        private final List<LayerEntry> listed;
        private volatile Lookups lookups;

        Pending(Map<LayerId, LayerEntry> layers, List<LayerEntry> listed) {
            this.layers = layers;
            this.listed = listed;
        }

        Lookups get() {
            Lookups l = lookups;
            if (l == null) {
                synchronized (this) {
                    l = lookups;
                    if (l == null) {
                        l = Lookups.of(layers);
                        lookups = l;
                    }
                }
            }
            return l;
        }
    }

    private record Lookups(Map<String, LayerId> names, Map<LayerId, Set<LayerId>> children,
                           Map<Digest, Set<LayerId>> byDiffDigest, Map<Digest, Set<LayerId>> byCompressedDigest,
                           Map<Digest, Set<LayerId>> byChainId) {

        static Lookups of(Map<LayerId, LayerEntry> layers) {
            java.util.Map<String, LayerId> names = new java.util.HashMap<>();
            java.util.Map<LayerId, java.util.Set<LayerId>> children = new java.util.HashMap<>();
            java.util.Map<Digest, java.util.Set<LayerId>> byDiff = new java.util.HashMap<>();
            java.util.Map<Digest, java.util.Set<LayerId>> byCompressed = new java.util.HashMap<>();
            java.util.Map<Digest, java.util.Set<LayerId>> byChain = new java.util.HashMap<>();
            for (java.util.Iterator<LayerEntry> it = layers.valuesIterator(); it.hasNext(); ) {
                LayerEntry l = it.next();
                for (String name : l.names()) {
                    names.put(name, l.id());
                }
                if (l.parent() != null) {
                    children.computeIfAbsent(l.parent(), k -> new java.util.HashSet<>()).add(l.id());
                }
                if (l.isCommitted()) {
                    byDiff.computeIfAbsent(l.diffDigest(), k -> new java.util.HashSet<>()).add(l.id());
                    if (l.compressedDigest() != null) {
                        byCompressed.computeIfAbsent(l.compressedDigest(), k -> new java.util.HashSet<>()).add(l.id());
                    }
                    if (l.chainId() != null) {
                        byChain.computeIfAbsent(l.chainId(), k -> new java.util.HashSet<>()).add(l.id());
                    }
                }
            }
            return new Lookups(HashMap.ofAll(names), persistent(children), persistent(byDiff), persistent(byCompressed),
                    persistent(byChain));
        }
    }

    static <K, V> Map<K, Set<V>> persistent(java.util.Map<K, java.util.Set<V>> m) {
        Map<K, Set<V>> out = HashMap.empty();
        for (java.util.Map.Entry<K, java.util.Set<V>> e : m.entrySet()) {
            java.util.Set<V> values = e.getValue();
            out = out.put(e.getKey(), values.size() == 1 ? HashSet.of(values.iterator().next()) : HashSet.ofAll(values));
        }
        return out;
    }

    // --- queries for readers: committed layers only ------------------------------------------------------------

    /** The committed layer with this id. */
    public Optional<Layer> layer(LayerId id) {
        return layers.get(id).filter(LayerEntry::isCommitted).map(LayerEntry::toLayer).toJavaOptional();
    }

    /** The shortest id prefix {@link #resolve} takes for an id, as podman and containers/storage do. */
    public static final int MIN_PREFIX = 4;

    /**
     * The committed layer a reference means, the one lookup behind every command and call that names a layer. In
     * order, as containers/storage looks layers up:
     * <ol>
     *   <li>a full id (64 lowercase hex), else the OCI chain id of a layer (see {@link #byChainId});</li>
     *   <li>a name;</li>
     *   <li>a prefix of one id, {@value #MIN_PREFIX} to 63 lowercase hex characters.</li>
     * </ol>
     * {@code sha256:} followed by a full id or such a prefix means an id only, never a name. A name wins over a
     * prefix it happens to spell; names that look like full ids or start with {@code sha256:} are refused when
     * given ({@link dev.cairn.model.LayerNames}), so neither of those can be shadowed. A full id or a name costs a
     * lookup, a prefix one pass over the layers.
     *
     * @throws LayerNotFoundException  if nothing matches (also a hex prefix shorter than {@value #MIN_PREFIX})
     * @throws AmbiguousLayerException if a prefix matches several layers; it lists them
     */
    public Layer resolve(String ref) throws LayerNotFoundException, AmbiguousLayerException {
        boolean digestForm = ref.startsWith(Digest.SHA256 + ":");
        String hex = digestForm ? ref.substring(Digest.SHA256.length() + 1) : ref;
        if (LayerId.isValid(hex)) {
            Optional<Layer> byId = layer(LayerId.of(hex)).or(() -> byChainId(hex));
            if (byId.isPresent() || digestForm) {
                return byId.orElseThrow(() -> new LayerNotFoundException(ref));
            }
        }
        if (!digestForm) {
            Optional<Layer> byName = nameMap().get(ref).flatMap(layers::get).filter(LayerEntry::isCommitted)
                    .map(LayerEntry::toLayer).toJavaOptional();
            if (byName.isPresent()) {
                return byName.get();
            }
        }
        if (hex.length() < MIN_PREFIX || hex.length() >= LayerId.HEX_LENGTH || !isLowerHex(hex)) {
            throw new LayerNotFoundException(ref);
        }
        List<LayerId> matches = layers.values().filter(l -> l.isCommitted() && l.id().hex().startsWith(hex))
                .map(LayerEntry::id).sortBy(LayerId::hex).toJavaList();
        if (matches.isEmpty()) {
            throw new LayerNotFoundException(ref);
        }
        if (matches.size() > 1) {
            throw new AmbiguousLayerException(ref, matches);
        }
        return layer(matches.get(0)).orElseThrow();
    }

    /** {@link #resolve}, with nothing found as empty; an ambiguous prefix still throws. */
    public Optional<Layer> find(String ref) throws AmbiguousLayerException {
        try {
            return Optional.of(resolve(ref));
        } catch (LayerNotFoundException e) {
            return Optional.empty();
        }
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * The committed layer whose OCI chain id is {@code text} ({@code sha256:<hex>} or the bare hex): what lookups try
     * after the id and the name. Several layers can share a chain id only when explicit ids were given; the one made
     * first is taken (they hold the same stack of diffs).
     */
    private Optional<Layer> byChainId(String text) {
        String hex = text.startsWith(Digest.SHA256 + ":") ? text.substring(Digest.SHA256.length() + 1) : text;
        if (!LayerId.isValid(hex)) {
            return Optional.empty();
        }
        return committed(chainMap().get(new Digest(hex)).getOrElse(HashSet.empty())).stream().findFirst();
    }

    /**
     * The order of {@link #layers()}, creation time and then id, as a key made once per layer: a sort of 100,000
     * layers compares these, side by side in memory, rather than following each entry to its time.
     */
    private record SortKey(long second, int nano, LayerEntry entry) implements Comparable<SortKey> {
        @Override
        public int compareTo(SortKey o) {
            return compareListed(second, nano, entry, o.second, o.nano, o.entry);
        }
    }

    /** The order of {@link #layers()} on entries: creation time, then id. */
    static final Comparator<LayerEntry> LISTING_ORDER = (a, b) -> compareListed(a.created().getEpochSecond(),
            a.created().getNano(), a, b.created().getEpochSecond(), b.created().getNano(), b);

    private static int compareListed(long second, int nano, LayerEntry entry, long otherSecond, int otherNano,
                                     LayerEntry other) {
        int c = Long.compare(second, otherSecond);
        if (c == 0) {
            c = Integer.compare(nano, otherNano);
        }
        return c != 0 ? c : entry.id().hex().compareTo(other.id().hex());
    }

    /** Every committed layer, parents before children, then by creation time and id. */
    public List<Layer> layers() {
        if (pending != null && pending.layers == layers && pending.listed != null) {
            // Unchanged since the snapshot, whose layers came in this order: no sort.
            List<Layer> all = new java.util.ArrayList<>(pending.listed.size());
            for (LayerEntry l : pending.listed) {
                if (l.isCommitted()) {
                    all.add(l.toLayer());
                }
            }
            return all;
        }
        List<SortKey> keys = new java.util.ArrayList<>(layers.size());
        for (java.util.Iterator<LayerEntry> it = layers.valuesIterator(); it.hasNext(); ) {
            LayerEntry l = it.next();
            if (l.isCommitted()) {
                keys.add(new SortKey(l.created().getEpochSecond(), l.created().getNano(), l));
            }
        }
        keys.sort(null);
        List<Layer> all = new java.util.ArrayList<>(keys.size());
        for (SortKey k : keys) {
            all.add(k.entry.toLayer());
        }
        return all;
    }

    /** Committed layers whose uncompressed tar has this digest (the OCI DiffID). */
    public List<Layer> layersByDiffDigest(Digest d) {
        return committed(diffMap().get(d).getOrElse(HashSet.empty()));
    }

    /** Committed layers whose bytes as received had this digest. */
    public List<Layer> layersByCompressedDigest(Digest d) {
        return committed(compressedMap().get(d).getOrElse(HashSet.empty()));
    }

    /** Committed layers whose parent is {@code id}. */
    public List<Layer> children(LayerId id) {
        return committed(childMap().get(id).getOrElse(HashSet.empty()));
    }

    private List<Layer> committed(Set<LayerId> ids) {
        List<Layer> out = ids.toJavaStream().map(layers::get).flatMap(o -> o.toJavaStream())
                .filter(LayerEntry::isCommitted).map(LayerEntry::toLayer)
                .sorted(Comparator.comparing(Layer::created).thenComparing(l -> l.id().hex()))
                .collect(java.util.stream.Collectors.toList());
        return out;
    }

    // --- the whole state, for the store and recovery -------------------------------------------------------------

    /** A layer in any state. */
    public Optional<LayerEntry> entry(LayerId id) {
        return layers.get(id).toJavaOptional();
    }

    /** Every layer not yet deleted, in any state. */
    public List<LayerEntry> entries() {
        List<LayerEntry> all = new java.util.ArrayList<>(layers.size());
        layers.valuesIterator().forEachRemaining(all::add);
        return all;
    }

    /**
     * The sagas whose start event is folded in and whose end event is not: stages ({@code STARTED} stagings),
     * makings ({@code INCOMPLETE} layers) and deletions ({@code REMOVING} layers). Costs the number of open sagas,
     * not the size of the store.
     */
    public List<OpenSaga> openSagas() {
        List<OpenSaga> out = new java.util.ArrayList<>();
        for (LayerId id : unfinished) {
            LayerEntry l = layers.get(id).get();
            out.add(new OpenSaga(l.state() == LayerState.REMOVING ? OpenSaga.Kind.DELETE : OpenSaga.Kind.MAKE,
                    id.hex(), l.owner()));
        }
        for (StagingId id : started) {
            StagingEntry st = stagings.get(id).get();
            out.add(new OpenSaga(OpenSaga.Kind.STAGE, id.hex(),
                    dev.cairn.model.SagaOwner.ofStaging(id, st.ownerPid(), st.ownerHost())));
        }
        for (ImageEntry i : images.unfinished()) {
            out.add(new OpenSaga(i.state() == ImageState.REMOVING ? OpenSaga.Kind.DELETE_IMAGE
                    : OpenSaga.Kind.MAKE_IMAGE, i.id().hex(), i.owner()));
        }
        return out;
    }

    /** The repositories part of the index (a registry served from the store). */
    public RegistryTable registry() {
        return registry;
    }

    /**
     * Whether an image or a repository holds the blob: a blob in {@code <root>/blobs/} that neither does is an
     * orphan, and a blob may be removed only when neither does.
     */
    public boolean holdsBlob(Digest content) {
        return images.holds(content) || registry.holds(content);
    }

    /** The images: committed ones for readers, every state for the store and recovery. */
    public ImageTable images() {
        return images;
    }

    /** Whether any layer saga ({@code INCOMPLETE} or {@code REMOVING}) is open; O(1). */
    public boolean hasUnfinishedLayers() {
        return !unfinished.isEmpty();
    }

    /** Layers {@code INCOMPLETE} or {@code REMOVING}; costs their number, not the store's size. */
    public List<LayerEntry> unfinishedLayers() {
        return unfinished.toJavaStream().map(id -> layers.get(id).get()).toList();
    }

    /**
     * The committed layer {@code id} and its parents, base layer first.
     *
     * @return empty if {@code id} or one of its parents is not a committed layer
     */
    public Optional<List<Layer>> chain(LayerId id) {
        java.util.ArrayDeque<Layer> chain = new java.util.ArrayDeque<>();
        Optional<Layer> l = layer(id);
        while (l.isPresent()) {
            chain.addFirst(l.get());
            if (l.get().parent().isEmpty()) {
                return Optional.of(List.copyOf(chain));
            }
            l = layer(l.get().parent().get());
        }
        return Optional.empty();
    }

    /** Layers (any state but removed) whose parent is {@code id}. */
    public List<LayerId> childIds(LayerId id) {
        return childMap().get(id).getOrElse(HashSet.empty()).toJavaList();
    }

    /** The layer, in any state, holding this name. */
    public Optional<LayerId> nameHolder(String name) {
        return nameMap().get(name).toJavaOptional();
    }

    /** A staging that is neither cleaned up nor discarded. */
    public Optional<StagingEntry> staging(StagingId id) {
        return stagings.get(id).toJavaOptional();
    }

    /** Every staging that is neither cleaned up nor discarded. */
    public List<StagingEntry> stagings() {
        return stagings.values().toJavaList();
    }

    /**
     * Equal when they hold the same layers, stagings, images and repositories in the same states: the test that the
     * live index equals the fold from seq 1.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof LayerIndex other && seq == other.seq && layers.equals(other.layers)
                && nameMap().equals(other.nameMap()) && childMap().equals(other.childMap())
                && diffMap().equals(other.diffMap()) && compressedMap().equals(other.compressedMap())
                && stagings.equals(other.stagings) && unfinished.equals(other.unfinished)
                && started.equals(other.started) && chainMap().equals(other.chainMap()) && images.equals(other.images)
                && registry.equals(other.registry);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seq) * 31 + layers.hashCode();
    }

    @Override
    public String toString() {
        return "LayerIndex[seq=" + seq + ", layers=" + layers.size() + ", stagings=" + stagings.size() + ", "
                + images + "]";
    }
}
