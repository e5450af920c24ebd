package dev.cairn.projection;

/** The states of a staged diff in the crash protocol (DESIGN.md section 3). */
public enum StagingState {
    /** {@code StagingStarted} is durable, {@code DiffStaged} is not: extraction is running or its owner died. */
    STARTED,
    /** {@code DiffStaged} is durable: the staged contents are complete and survive restarts until applied. */
    STAGED,
    /** The staged contents were moved into a committed layer; only the staging folder's remains are left. */
    APPLIED
}
