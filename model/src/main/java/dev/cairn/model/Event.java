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
public sealed interface Event permits Event.LayerEvent, Event.StagingEvent, Event.ImageEvent,
        Event.RepositoryEvent, Event.OrphanRemoved, Event.JournalRepaired, Event.JournalArchived {

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
            JournalRepaired.class, JournalArchived.class,
            ImageCreated.class, ImageCommitted.class, ImageRolledBack.class, ImageNamesSet.class,
            ImageDeleteStarted.class, ImageDeleted.class,
            UploadStarted.class, UploadDiscarded.class, BlobLinked.class, BlobUnlinked.class, ManifestPut.class,
            ManifestDeleted.class, TagDeleted.class, Pulled.class);

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

    /** Events about one image. */
    sealed interface ImageEvent extends Event permits ImageCreated, ImageCommitted, ImageRolledBack, ImageNamesSet,
            ImageDeleteStarted, ImageDeleted {
        ImageId image();
    }

    /**
     * Events about one repository of a registry served from the store: its upload sessions, the blobs and manifests
     * it holds, its tags. Repositories are names over the store's one content area ({@code <root>/blobs/}): a blob
     * two repositories hold is kept once. Digests are written as the client gave them ({@code sha256:…} or
     * {@code sha512:…}); {@code content} is the sha256 under which the bytes are kept.
     */
    sealed interface RepositoryEvent extends Event permits UploadStarted, UploadDiscarded, BlobLinked, BlobUnlinked,
            ManifestPut, ManifestDeleted, TagDeleted, Pulled {
        String repository();
    }

    // --- stage ---------------------------------------------------------------------------------------------

    /**
     * A staging began; made durable before its folder is made. {@code ownerPid}/{@code ownerHost} name the process
     * whose lock keeps it alive while unfinished: {@code <root>/owners/<staging>} (see {@link SagaOwner#ofStaging}).
     * An {@code ephemeral} staging (an image import's) lives only as long as that process: it holds the lock until the
     * staging is cleaned up, and once the lock is free recovery removes the staging whatever its state; false in
     * journals written before images.
     */
    record StagingStarted(StagingId staging, long ownerPid, String ownerHost, boolean ephemeral)
            implements StagingEvent {
        public StagingStarted {
            Objects.requireNonNull(staging, "staging");
        }

        /** A staging that survives its process once finished (the stage/apply/cleanup lifecycle). */
        public StagingStarted(StagingId staging, long ownerPid, String ownerHost) {
            this(staging, ownerPid, ownerHost, false);
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

    // --- images ----------------------------------------------------------------------------------------------

    /**
     * An image is being made (its {@code INCOMPLETE} state), on layers that are all committed; made durable before any
     * of its blobs is put in place, so every blob file is accounted for by the time it exists. {@code blobs} is every
     * blob the image will hold (manifest, config, layer blobs as received; not a layer blob that is the uncompressed
     * tar, which the layer rebuilds). {@code created} is the config's creation time, null if it has none. {@code owner}
     * holds its lock until {@code ImageCommitted} or {@code ImageRolledBack} is durable.
     */
    record ImageCreated(ImageId image, Digest manifestDigest, String manifestMediaType, long manifestSize,
                        Digest configDigest, long configSize, List<LayerId> layers, List<BlobRef> blobs,
                        java.time.Instant created, SagaOwner owner) implements ImageEvent {
        public ImageCreated {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(manifestDigest, "manifestDigest");
            Objects.requireNonNull(manifestMediaType, "manifestMediaType");
            Objects.requireNonNull(configDigest, "configDigest");
            layers = layers == null ? List.of() : List.copyOf(layers);
            blobs = blobs == null ? List.of() : List.copyOf(blobs);
            Objects.requireNonNull(owner, "owner");
        }
    }

    /**
     * The image's blobs are durable in place: it exists, with these names. Names it takes from other images are taken
     * from them by {@code ImageNamesSet} events in the same batch, before this one.
     */
    record ImageCommitted(ImageId image, List<String> names) implements ImageEvent {
        public ImageCommitted {
            Objects.requireNonNull(image, "image");
            names = names == null ? List.of() : List.copyOf(names);
        }
    }

    /**
     * An image created but never committed was removed (by recovery, or by its own saga after a failure), with why;
     * the blobs only it held are gone. Its layers stay.
     */
    record ImageRolledBack(ImageId image, String reason) implements ImageEvent {
        public ImageRolledBack {
            Objects.requireNonNull(image, "image");
        }
    }

    /** The image's names are now exactly {@code names}. */
    record ImageNamesSet(ImageId image, List<String> names) implements ImageEvent {
        public ImageNamesSet {
            Objects.requireNonNull(image, "image");
            names = names == null ? List.of() : List.copyOf(names);
        }
    }

    /**
     * An image delete began: from here the image is gone for readers and its names are free. {@code owner} holds its
     * lock until {@code ImageDeleted} is durable. Its layers stay.
     */
    record ImageDeleteStarted(ImageId image, SagaOwner owner) implements ImageEvent {
        public ImageDeleteStarted {
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /** A deleted image's blobs that no other image holds are gone. */
    record ImageDeleted(ImageId image) implements ImageEvent {
        public ImageDeleted {
            Objects.requireNonNull(image, "image");
        }
    }

    // --- repositories (a registry's) -------------------------------------------------------------------------

    /**
     * An upload session opened; made durable before its folder {@code <root>/uploads/<upload>/} is made, so that
     * folder is accounted for from the moment it exists. {@code algorithm} is the digest algorithm the client will
     * close it with. The session is a durable state: it survives its process until it is linked as a blob
     * ({@link BlobLinked} naming it) or discarded.
     */
    record UploadStarted(String repository, String upload, String algorithm) implements RepositoryEvent {
        public UploadStarted {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(upload, "upload");
            Objects.requireNonNull(algorithm, "algorithm");
        }
    }

    /** An upload session was cancelled, reclaimed as idle, or failed its digest; its folder goes after this. */
    record UploadDiscarded(String repository, String upload, String reason) implements RepositoryEvent {
        public UploadDiscarded {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(upload, "upload");
        }
    }

    /**
     * The repository holds blob {@code digest} ({@code size} bytes, kept under {@code content}); made durable only
     * after the bytes are in place, in the same hold of the writers' lock that put them there. {@code upload} is the
     * session it closes, null for a cross-repository mount.
     */
    record BlobLinked(String repository, String digest, Digest content, long size, String upload)
            implements RepositoryEvent {
        public BlobLinked {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(content, "content");
        }
    }

    /** The repository no longer holds the blob (other repositories and images keep theirs). */
    record BlobUnlinked(String repository, String digest) implements RepositoryEvent {
        public BlobUnlinked {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(digest, "digest");
        }
    }

    /**
     * The repository holds manifest or index {@code digest}: its exact bytes kept under {@code content}, pushed as
     * {@code mediaType}; {@code tags} now point at it (moved from whatever they pointed at). {@code subject} is the
     * digest its {@code subject} field names (null if none): it is one of that digest's referrers. {@code image} is
     * the image record the manifest became (null for an index or an artifact). Durable after the bytes are in place.
     */
    record ManifestPut(String repository, String digest, Digest content, String mediaType, long size, String subject,
                       List<String> tags, ImageId image) implements RepositoryEvent {
        public ManifestPut {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(content, "content");
            Objects.requireNonNull(mediaType, "mediaType");
            tags = tags == null ? List.of() : List.copyOf(tags);
        }
    }

    /** The repository no longer holds the manifest, nor any tag on it. */
    record ManifestDeleted(String repository, String digest) implements RepositoryEvent {
        public ManifestDeleted {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(digest, "digest");
        }
    }

    /** The tag is gone; the manifest stays. */
    record TagDeleted(String repository, String tag) implements RepositoryEvent {
        public TagDeleted {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(tag, "tag");
        }
    }

    /**
     * A blob or manifest of the repository was read ({@code what}: a digest, or {@code tag:<tag> <digest>}); journaled
     * only when the registry audits reads. Changes nothing.
     */
    record Pulled(String repository, String what) implements RepositoryEvent {
        public Pulled {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(what, "what");
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
    /**
     * Records {@code firstSeq} to {@code lastSeq} of the journal were written to the archive file {@code archive}
     * (whose bytes hash to {@code sha256}) and are removed from the journal's directory (docs/JOURNAL.md, "Archiving").
     * Appended before the cut, so the history says what was moved where, and by whom, even if the cut never happens
     * (a crash between; the next archive finishes it).
     *
     * @param lastHash the hash of record {@code lastSeq}: the link the journal's first kept record follows
     */
    record JournalArchived(long firstSeq, long lastSeq, Digest lastHash, String archive, Digest sha256)
            implements Event {
        public JournalArchived {
            if (firstSeq < 1 || lastSeq < firstSeq) {
                throw new IllegalArgumentException("an archive holds seq 1 or later, first to last, not " + firstSeq
                        + " to " + lastSeq);
            }
            Objects.requireNonNull(lastHash, "lastHash");
            Objects.requireNonNull(archive, "archive");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

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
