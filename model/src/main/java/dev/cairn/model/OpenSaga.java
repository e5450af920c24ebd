package dev.cairn.model;


/**
 * A saga whose start event is in the journal and whose end event is not (yet): in progress if its owner's lock is
 * held, else left by a process that died, for recovery to finish. Immutable.
 *
 * @param kind    what the saga does
 * @param subject the id of what it works on: the staging id of a stage, the layer id of a making or deletion, the
 *                image id of an image's making or deletion
 * @param owner   who runs it; null for a layer saga from a journal written before sagas had owners (such a saga ran
 *                wholly under the writers' lock, so whoever holds that lock knows it is dead)
 */
public record OpenSaga(Kind kind, String subject, SagaOwner owner) {

    /** The kinds of saga. */
    public enum Kind {
        /** {@code StagingStarted} without {@code DiffStaged}: extracting a diff. */
        STAGE,
        /** {@code LayerCreated} without {@code LayerCommitted}: an apply or a create. */
        MAKE,
        /** {@code LayerDeleteStarted} without {@code LayerDeleted}. */
        DELETE,
        /** {@code ImageCreated} without {@code ImageCommitted}: an image import. */
        MAKE_IMAGE,
        /** {@code ImageDeleteStarted} without {@code ImageDeleted}. */
        DELETE_IMAGE
    }
}
