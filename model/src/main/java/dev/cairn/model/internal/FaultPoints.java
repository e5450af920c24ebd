package dev.cairn.model.internal;

/**
 * Named instants inside the sagas of the store and inside recovery, where tests stop a writer dead to check that
 * the next open copes with a crash exactly there. In production nothing is installed and {@link #reach} costs a
 * volatile read. It lives in the model, the one module that both {@code recovery} and {@code store} may reach
 * (DESIGN.md section 1).
 *
 * <p>A child JVM started with {@code -Dcairn.crashAt=NAME} halts ({@link Runtime#halt} with status 137, no shutdown
 * hooks, no finally blocks) the first time it reaches NAME: the in-process equivalent of {@code kill -9} at that
 * instant. A test can instead {@linkplain #install install} a hook (to throw, or to pause a process so that it can
 * be killed while it holds a lock). Thread-safe.
 */
public final class FaultPoints {

    /** stage: {@code StagingStarted} is durable, nothing extracted yet. */
    public static final String STAGING_STARTED = "staging-started";
    /** stage: contents extracted and synced, {@code DiffStaged} not yet written. */
    public static final String STAGING_EXTRACTED = "staging-extracted";
    /** stage: {@code DiffStaged} is durable, the owner lock still held, the call not yet returned. */
    public static final String STAGING_STAGED = "staging-staged";
    /** apply: {@code LayerCreated} is durable, the staged contents not yet moved. */
    public static final String LAYER_CREATED = "layer-created";
    /** apply: the contents were renamed into {@code layers/<id>}, {@code LayerCommitted} not yet written. */
    public static final String LAYER_MOVED = "layer-moved";
    /** apply and create: {@code LayerCommitted} is durable, the writers' lock still held. */
    public static final String LAYER_COMMITTED = "layer-committed";
    /** cleanup: the staging folder was renamed into the trash, not yet removed, not journaled. */
    public static final String STAGING_TRASHED = "staging-trashed";
    /** cleanup: {@code StagingCleaned} is durable, the writers' lock still held. */
    public static final String STAGING_CLEANED = "staging-cleaned";
    /** delete: {@code LayerDeleteStarted} is durable, the folder still in place. */
    public static final String DELETE_STARTED = "delete-started";
    /** delete: the folder was renamed into the trash, {@code LayerDeleted} not yet written. */
    public static final String LAYER_TRASHED = "layer-trashed";
    /** delete: {@code LayerDeleted} is durable, the writers' lock still held. */
    public static final String LAYER_DELETED = "layer-deleted";
    /** names: {@code NamesSet} is durable, the writers' lock still held. */
    public static final String NAMES_SET = "names-set";

    /** image import: every layer it had to stage is staged (each {@code DiffStaged} durable), none applied yet. */
    public static final String IMAGE_STAGED = "image-staged";
    /** image import: every layer is committed, {@code ImageCreated} not yet written. */
    public static final String IMAGE_LAYERS_APPLIED = "image-layers-applied";
    /** image import: {@code ImageCreated} is durable, no blob in place yet. */
    public static final String IMAGE_CREATED = "image-created";
    /** image import: every blob is durable in place, {@code ImageCommitted} not yet written. */
    public static final String IMAGE_BLOBS_STORED = "image-blobs-stored";
    /** image import: {@code ImageCommitted} is durable, the locks still held, the call not yet returned. */
    public static final String IMAGE_COMMITTED = "image-committed";
    /** image delete: {@code ImageDeleteStarted} is durable, its blobs still there. */
    public static final String IMAGE_DELETE_STARTED = "image-delete-started";
    /** image delete: the blobs only it held are removed (durably), {@code ImageDeleted} not yet written. */
    public static final String IMAGE_BLOBS_REMOVED = "image-blobs-removed";
    /** image delete: {@code ImageDeleted} is durable, the lock still held. */
    public static final String IMAGE_DELETED = "image-deleted";
    /** image names: the {@code ImageNamesSet} batch is durable, the writers' lock still held. */
    public static final String IMAGE_NAMES_SET = "image-names-set";

    /** registry upload: the upload's bytes are renamed into {@code blobs/}, {@code BlobLinked} not yet written. */
    public static final String REPOSITORY_BLOB_IN_PLACE = "repository-blob-in-place";
    /** registry upload: {@code BlobLinked} is durable, the upload's folder not yet removed. */
    public static final String REPOSITORY_BLOB_LINKED = "repository-blob-linked";
    /** registry manifest: its bytes are in {@code blobs/}, {@code ManifestPut} not yet written. */
    public static final String REPOSITORY_MANIFEST_IN_PLACE = "repository-manifest-in-place";

    /**
     * recovery: it has read the journal and the folders and decided what looks unfinished, nothing done yet; what it
     * decided is from a view that other processes may already have moved past.
     */
    public static final String RECOVERY_PLANNED = "recovery-planned";
    /** recovery: a {@code REMOVING} layer's files are removed, {@code LayerDeleted} not yet written. */
    public static final String RECOVERY_LAYER_REMOVED = "recovery-layer-removed";
    /** recovery: an {@code INCOMPLETE} layer's contents were moved back into their staging, nothing journaled. */
    public static final String RECOVERY_LAYER_RESTORED = "recovery-layer-restored";
    /** recovery: an {@code INCOMPLETE} layer's files are removed, {@code LayerRolledBack} not yet written. */
    public static final String RECOVERY_LAYER_ROLLED_BACK = "recovery-layer-rolled-back";
    /** recovery: a staging's files are removed, its {@code StagingDiscarded}/{@code StagingCleaned} not written. */
    public static final String RECOVERY_STAGING_REMOVED = "recovery-staging-removed";
    /**
     * recovery: the blobs only an unfinished image saga held are removed (and made durable),
     * {@code ImageRolledBack}/{@code ImageDeleted} not yet written.
     */
    public static final String RECOVERY_IMAGE_BLOBS_REMOVED = "recovery-image-blobs-removed";
    /** recovery: an orphan file or folder is removed, {@code OrphanRemoved} not yet written. */
    public static final String RECOVERY_ORPHAN_REMOVED = "recovery-orphan-removed";

    /** A new checkpoint key is written whole in its building folder, not yet renamed to {@code keys/}. */
    public static final String KEY_BUILT = "key-built";
    /** A new checkpoint key is in place as {@code keys/}; a new store's journal is not made yet. */
    public static final String KEY_IN_PLACE = "key-in-place";
    /** archive: the archive file is durable and read back, {@code JournalArchived} not yet written. */
    public static final String ARCHIVE_WRITTEN = "archive-written";
    /** archive: {@code JournalArchived} is durable, the journal still whole (the archived prefix not written). */
    public static final String ARCHIVE_JOURNALED = "archive-journaled";
    /** archive: the archived prefix is durable (the cut is made), no cycle file removed yet. */
    public static final String ARCHIVE_CUT = "archive-cut";
    /** archive: one archived cycle file is removed, the others (if any) and the directory's fsync not yet. */
    public static final String ARCHIVE_FILE_REMOVED = "archive-file-removed";

    /** What happens at a fault point; tests install one. */
    @FunctionalInterface
    public interface Hook {
        void reached(String point);
    }

    private static final String HALT_AT = System.getProperty("cairn.crashAt");
    private static volatile Hook hook;

    private FaultPoints() {
    }

    /** Installs a hook (tests only); null removes it. */
    public static void install(Hook h) {
        hook = h;
    }

    /** Marks that the running saga is at {@code point}. */
    public static void reach(String point) {
        if (HALT_AT != null && HALT_AT.equals(point)) {
            Runtime.getRuntime().halt(137);
        }
        Hook h = hook;
        if (h != null) {
            h.reached(point);
        }
    }
}
