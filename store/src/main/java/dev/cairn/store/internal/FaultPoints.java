package dev.cairn.store.internal;

/**
 * Named instants inside the sagas of the store, where tests stop a writer dead to check that recovery copes with a
 * crash exactly there. In production nothing is installed and {@link #reach} costs a volatile read.
 *
 * <p>A child JVM started with {@code -Dcairn.crashAt=NAME} halts ({@link Runtime#halt}, no shutdown hooks, no
 * finally blocks) the first time it reaches NAME: the in-process equivalent of {@code kill -9} at that instant.
 */
public final class FaultPoints {

    /** stage: {@code StagingStarted} is durable, nothing extracted yet. */
    public static final String STAGING_STARTED = "staging-started";
    /** stage: contents extracted and synced, {@code DiffStaged} not yet written. */
    public static final String STAGING_EXTRACTED = "staging-extracted";
    /** apply: {@code LayerCreated} is durable, the staged contents not yet moved. */
    public static final String LAYER_CREATED = "layer-created";
    /** apply: the contents were renamed into {@code layers/<id>}, {@code LayerCommitted} not yet written. */
    public static final String LAYER_MOVED = "layer-moved";
    /** cleanup: the staging folder was renamed into the trash, not yet removed, not journaled. */
    public static final String STAGING_TRASHED = "staging-trashed";
    /** delete: {@code LayerDeleteStarted} is durable, the folder still in place. */
    public static final String DELETE_STARTED = "delete-started";
    /** delete: the folder was renamed into the trash, {@code LayerDeleted} not yet written. */
    public static final String LAYER_TRASHED = "layer-trashed";

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
