package dev.cairn.projection;

import dev.cairn.model.AmbiguousImageException;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.Event.ImageCommitted;
import dev.cairn.model.Event.ImageCreated;
import dev.cairn.model.Event.ImageDeleteStarted;
import dev.cairn.model.Event.ImageDeleted;
import dev.cairn.model.Event.ImageNamesSet;
import dev.cairn.model.Event.ImageRolledBack;
import dev.cairn.model.ImageId;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.LayerId;
import io.vavr.collection.HashMap;
import io.vavr.collection.HashSet;
import io.vavr.collection.Map;
import io.vavr.collection.Set;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The images part of the index: a pure fold of the image events, kept as plain persistent data (maps and sets of
 * records, the form a snapshot writes) inside {@link LayerIndex}. Immutable and thread-safe.
 *
 * <p>It holds every image not yet deleted or rolled back, in whatever state ({@link ImageState}), and, for any
 * state, which images use each layer (so that a layer an image stands on is never deleted) and which hold each blob
 * (so that a blob is removed only when no image holds it). Names are held by committed images only; a name set on one
 * image is taken from any other that had it (the writer journals that as an {@code ImageNamesSet} of the other, so
 * the fold only repeats it). Events that do not fit are ignored, as in {@link LayerIndex}.
 */
public final class ImageTable {

    /** The shortest image id prefix {@link #resolve} takes, as podman and containers/storage do. */
    public static final int MIN_PREFIX = 4;

    static final ImageTable EMPTY = new ImageTable(HashMap.empty(), HashMap.empty(), HashMap.empty(),
            HashMap.empty(), HashSet.empty());

    private final Map<ImageId, ImageEntry> images;
    private final Map<String, ImageId> names;
    private final Map<LayerId, Set<ImageId>> byLayer;
    private final Map<Digest, Set<ImageId>> byBlob;
    /** Images {@code INCOMPLETE} or {@code REMOVING}: the image sagas without their end event. */
    private final Set<ImageId> unfinished;

    private ImageTable(Map<ImageId, ImageEntry> images, Map<String, ImageId> names,
                       Map<LayerId, Set<ImageId>> byLayer, Map<Digest, Set<ImageId>> byBlob,
                       Set<ImageId> unfinished) {
        this.images = images;
        this.names = names;
        this.byLayer = byLayer;
        this.byBlob = byBlob;
        this.unfinished = unfinished;
    }

    /**
     * The table after {@code event}.
     *
     * @param layerSize the uncompressed size of a layer, as the index knows it at this point of the journal
     */
    ImageTable fold(Event.ImageEvent event, Instant time, ToLongFunction<LayerId> layerSize) {
        if (event instanceof ImageCreated e) {
            if (images.containsKey(e.image())) {
                return this;
            }
            long size = e.manifestSize() + e.configSize();
            for (LayerId l : e.layers()) {
                size += layerSize.applyAsLong(l);
            }
            ImageEntry entry = new ImageEntry(e.image(), ImageState.INCOMPLETE, List.of(), e.layers(),
                    e.manifestDigest(), e.manifestMediaType(), e.manifestSize(), e.configDigest(), e.configSize(),
                    e.created() == null ? time : e.created(), size, e.blobs(), e.owner());
            Map<LayerId, Set<ImageId>> l = byLayer;
            for (LayerId layer : e.layers()) {
                l = addTo(l, layer, e.image());
            }
            Map<Digest, Set<ImageId>> b = byBlob;
            for (BlobRef blob : e.blobs()) {
                b = addTo(b, blob.digest(), e.image());
            }
            return new ImageTable(images.put(e.image(), entry), names, l, b, unfinished.add(e.image()));
        }
        if (event instanceof ImageCommitted e) {
            return images.get(e.image()).filter(i -> i.state() == ImageState.INCOMPLETE)
                    .map(i -> {
                        ImageTable t = takeNames(e.names(), i.id());
                        return new ImageTable(t.images.put(i.id(), i.committed(e.names())), t.names, byLayer, byBlob,
                                unfinished.remove(i.id()));
                    }).getOrElse(this);
        }
        if (event instanceof ImageNamesSet e) {
            return images.get(e.image()).filter(ImageEntry::isCommitted).map(i -> {
                ImageTable t = new ImageTable(images, names.removeAll(i.names()), byLayer, byBlob, unfinished)
                        .takeNames(e.names(), i.id());
                return new ImageTable(t.images.put(i.id(), i.withNames(e.names())), t.names, byLayer, byBlob,
                        unfinished);
            }).getOrElse(this);
        }
        if (event instanceof ImageDeleteStarted e) {
            return images.get(e.image()).filter(ImageEntry::isCommitted)
                    .map(i -> new ImageTable(images.put(i.id(), i.removing(e.owner())), names.removeAll(i.names()),
                            byLayer, byBlob, unfinished.add(i.id())))
                    .getOrElse(this);
        }
        if (event instanceof ImageRolledBack e) {
            return images.get(e.image()).filter(i -> i.state() == ImageState.INCOMPLETE).map(this::remove)
                    .getOrElse(this);
        }
        if (event instanceof ImageDeleted e) {
            return images.get(e.image()).filter(i -> i.state() == ImageState.REMOVING).map(this::remove)
                    .getOrElse(this);
        }
        throw new IllegalStateException("unhandled image event type " + event.type());
    }

    /** {@code names} given to {@code to}: taken from whichever other images hold them (the index only). */
    private ImageTable takeNames(List<String> given, ImageId to) {
        Map<ImageId, ImageEntry> i = images;
        Map<String, ImageId> n = names;
        for (String name : given) {
            Optional<ImageId> holder = n.get(name).toJavaOptional();
            if (holder.isPresent() && !holder.get().equals(to)) {
                ImageEntry other = i.get(holder.get()).get();
                i = i.put(other.id(), other.withNames(other.names().stream().filter(x -> !x.equals(name)).toList()));
            }
            n = n.put(name, to);
        }
        return new ImageTable(i, n, byLayer, byBlob, unfinished);
    }

    private ImageTable remove(ImageEntry i) {
        Map<LayerId, Set<ImageId>> l = byLayer;
        for (LayerId layer : i.layers()) {
            l = removeFrom(l, layer, i.id());
        }
        Map<Digest, Set<ImageId>> b = byBlob;
        for (BlobRef blob : i.blobs()) {
            b = removeFrom(b, blob.digest(), i.id());
        }
        Map<String, ImageId> n = names;
        for (String name : i.names()) {
            if (n.get(name).contains(i.id())) {
                n = n.remove(name);
            }
        }
        return new ImageTable(images.remove(i.id()), n, l, b, unfinished.remove(i.id()));
    }

    private static <K> Map<K, Set<ImageId>> addTo(Map<K, Set<ImageId>> m, K key, ImageId id) {
        return m.put(key, m.get(key).getOrElse(HashSet.empty()).add(id));
    }

    private static <K> Map<K, Set<ImageId>> removeFrom(Map<K, Set<ImageId>> m, K key, ImageId id) {
        Set<ImageId> rest = m.get(key).getOrElse(HashSet.empty()).remove(id);
        return rest.isEmpty() ? m.remove(key) : m.put(key, rest);
    }

    // --- the primary state and the table rebuilt from it, for snapshots (IndexSnapshot) -------------------------

    /** Every image not yet deleted or rolled back, by id: all a snapshot must keep of the table. */
    Map<ImageId, ImageEntry> imageMap() {
        return images;
    }

    /**
     * The table holding these images, with the rest derived as the fold keeps it: names held by committed images,
     * the images using each layer and holding each blob (in any state), the open sagas.
     */
    static ImageTable rebuilt(Map<ImageId, ImageEntry> images) {
        java.util.Map<String, ImageId> names = new java.util.HashMap<>();
        java.util.Map<LayerId, java.util.Set<ImageId>> byLayer = new java.util.HashMap<>();
        java.util.Map<Digest, java.util.Set<ImageId>> byBlob = new java.util.HashMap<>();
        java.util.Set<ImageId> unfinished = new java.util.HashSet<>();
        for (ImageEntry i : images.values()) {
            if (i.isCommitted()) {
                for (String name : i.names()) {
                    names.put(name, i.id());
                }
            } else {
                unfinished.add(i.id());
            }
            for (LayerId l : i.layers()) {
                byLayer.computeIfAbsent(l, k -> new java.util.HashSet<>()).add(i.id());
            }
            for (BlobRef b : i.blobs()) {
                byBlob.computeIfAbsent(b.digest(), k -> new java.util.HashSet<>()).add(i.id());
            }
        }
        return new ImageTable(images, HashMap.ofAll(names), LayerIndex.persistent(byLayer),
                LayerIndex.persistent(byBlob), HashSet.ofAll(unfinished));
    }

    // --- queries for readers: committed images only --------------------------------------------------------------

    /** The committed image with this id. */
    public Optional<ImageRecord> image(ImageId id) {
        return images.get(id).filter(ImageEntry::isCommitted).map(ImageEntry::toRecord).toJavaOptional();
    }

    /**
     * The committed image a reference means. In order, as containers/storage looks images up: a full id (64 lowercase
     * hex), a name, a prefix of one id ({@value #MIN_PREFIX} to 63 lowercase hex characters). {@code sha256:} followed
     * by a full id or a prefix means an id only, never a name. A full id or a name costs a lookup, a prefix one pass
     * over the images.
     *
     * @throws ImageNotFoundException  if nothing matches
     * @throws AmbiguousImageException if a prefix matches several images; it lists them
     */
    public ImageRecord resolve(String ref) throws ImageNotFoundException, AmbiguousImageException {
        boolean digestForm = ref.startsWith(Digest.SHA256 + ":");
        String hex = digestForm ? ref.substring(Digest.SHA256.length() + 1) : ref;
        if (ImageId.isValid(hex)) {
            Optional<ImageRecord> byId = image(ImageId.of(hex));
            if (byId.isPresent() || digestForm) {
                return byId.orElseThrow(() -> notFound(ref));
            }
        }
        if (!digestForm) {
            Optional<ImageRecord> byName = names.get(ref).flatMap(images::get).filter(ImageEntry::isCommitted)
                    .map(ImageEntry::toRecord).toJavaOptional();
            if (byName.isPresent()) {
                return byName.get();
            }
        }
        if (hex.length() < MIN_PREFIX || hex.length() >= 64 || !hex.matches("[0-9a-f]+")) {
            throw notFound(ref);
        }
        List<ImageId> matches = images.values().filter(i -> i.isCommitted() && i.id().hex().startsWith(hex))
                .map(ImageEntry::id).sortBy(ImageId::hex).toJavaList();
        if (matches.isEmpty()) {
            throw notFound(ref);
        }
        if (matches.size() > 1) {
            throw AmbiguousImageException.ofPrefix(ref, matches);
        }
        return image(matches.get(0)).orElseThrow();
    }

    private static ImageNotFoundException notFound(String ref) {
        return new ImageNotFoundException(ref, "no image in the store has this id, id prefix or name");
    }

    /** Every committed image, oldest first (by creation time, then id). */
    public List<ImageRecord> images() {
        List<ImageRecord> all = images.values().filter(ImageEntry::isCommitted).map(ImageEntry::toRecord)
                .toJavaList();
        all.sort(Comparator.comparing(ImageRecord::created).thenComparing(i -> i.id().hex()));
        return all;
    }

    // --- the whole state, for the store and recovery -------------------------------------------------------------

    /** An image in any state. */
    public Optional<ImageEntry> entry(ImageId id) {
        return images.get(id).toJavaOptional();
    }

    /** Every image not yet deleted or rolled back, in any state. */
    public List<ImageEntry> entries() {
        return images.values().toJavaList();
    }

    /** The images, in any state, that stand on {@code layer} (as top layer or below it), in id order. */
    public List<ImageId> imagesUsing(LayerId layer) {
        return byLayer.get(layer).getOrElse(HashSet.empty()).toJavaStream()
                .sorted(Comparator.comparing(ImageId::hex)).toList();
    }

    /** The images, in any state, that hold the blob {@code digest}. */
    public List<ImageId> blobHolders(Digest digest) {
        return byBlob.get(digest).getOrElse(HashSet.empty()).toJavaList();
    }

    /** Whether any image, in any state, holds the blob {@code digest}: then it must stay. */
    public boolean holds(Digest digest) {
        return byBlob.containsKey(digest);
    }

    /** The image, in any state but removing, holding this name. */
    public Optional<ImageId> nameHolder(String name) {
        return names.get(name).toJavaOptional();
    }

    /** Images {@code INCOMPLETE} or {@code REMOVING}; costs their number, not the store's size. */
    public List<ImageEntry> unfinished() {
        return unfinished.toJavaStream().map(id -> images.get(id).get()).toList();
    }

    /** Whether any image saga is open; O(1). */
    public boolean hasUnfinished() {
        return !unfinished.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageTable other && images.equals(other.images) && names.equals(other.names)
                && byLayer.equals(other.byLayer) && byBlob.equals(other.byBlob) && unfinished.equals(other.unfinished);
    }

    @Override
    public int hashCode() {
        return images.hashCode();
    }

    @Override
    public String toString() {
        return "ImageTable[images=" + images.size() + ", blobs=" + byBlob.size() + "]";
    }
}
