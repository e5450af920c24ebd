package dev.cairn.model;

import java.util.List;

/**
 * What recovery would do to the store as it is now, computed without changing anything (it works on a read-only
 * open), and the sagas it would leave alone because their owners are alive. Running recovery re-decides each step
 * against the journal's head while holding the saga's lock, so it does at most this, never more: a saga that
 * finished meanwhile is left as it is.
 *
 * @param steps      what recovery would do, in the order it would do it
 * @param inProgress open sagas whose owners are alive: other processes' work, never touched
 */
public record RecoveryPlan(List<Step> steps, List<OpenSaga> inProgress) {

    public RecoveryPlan {
        steps = List.copyOf(steps);
        inProgress = List.copyOf(inProgress);
    }

    /** Whether there is nothing to do. */
    public boolean clean() {
        return steps.isEmpty();
    }

    /**
     * One thing recovery would do.
     *
     * @param action  what
     * @param subject the layer id, staging id, image id, or path relative to the store root
     * @param reason  why, in words for an operator
     */
    public record Step(Action action, String subject, String reason) {
    }

    /** What a step does, and the event it journals. */
    public enum Action {
        /** An unfinished apply or create: its files removed (a staging's contents given back); {@code LayerRolledBack}. */
        ROLL_BACK_LAYER("LayerRolledBack"),
        /** An unfinished delete: its files removed; {@code LayerDeleted}. */
        FINISH_DELETE("LayerDeleted"),
        /** An unfinished, emptied or too old staging: removed; {@code StagingDiscarded}. */
        DISCARD_STAGING("StagingDiscarded"),
        /** An applied staging's remains, or a cleanup cut short: removed; {@code StagingCleaned}. */
        CLEAN_STAGING("StagingCleaned"),
        /** An unfinished image import: the blobs only it held removed; {@code ImageRolledBack}. */
        ROLL_BACK_IMAGE("ImageRolledBack"),
        /** An unfinished image delete: the blobs only it held removed; {@code ImageDeleted}. */
        FINISH_IMAGE_DELETE("ImageDeleted"),
        /** A file or folder no event accounts for: removed; {@code OrphanRemoved}. */
        REMOVE_ORPHAN("OrphanRemoved");

        private final String event;

        Action(String event) {
            this.event = event;
        }

        /** The type of the event this step journals. */
        public String event() {
            return event;
        }
    }
}
