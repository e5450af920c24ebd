package dev.cairn.store;

import dev.cairn.model.Digest;
import dev.cairn.model.LayerId;
import dev.cairn.model.StagingId;

import java.time.Instant;
import java.util.Optional;

/**
 * A staging as {@link LayerStore#stagings()} lists it ({@code cairn stagings}): what state its saga is in and who
 * owns it.
 *
 * @param id         the staging id
 * @param state      where it stands
 * @param started    when its {@code StagingStarted} was journaled
 * @param staged     when its {@code DiffStaged} was, for a finished one
 * @param diffDigest the DiffID of what was staged, for a finished one
 * @param diffSize   the bytes of its uncompressed tar (0 while staging)
 * @param layer      the layer it was applied to (or is being applied to)
 * @param ownerPid   the process that staged it
 * @param ownerHost  that process's host
 * @param ownerAlive whether the staging's owner lock is held: its process is still extracting it (a finished
 *                   staging's lock is released, whatever became of its process)
 */
public record StagingInfo(StagingId id, State state, Instant started, Optional<Instant> staged,
                          Optional<Digest> diffDigest, long diffSize, Optional<LayerId> layer, long ownerPid,
                          String ownerHost, boolean ownerAlive) {

    /** Where a staging stands. */
    public enum State {
        /** Being extracted by a live process. */
        STAGING,
        /** Started by a process that died before it finished: recovery discards it. */
        ABANDONED,
        /** Finished, waiting for {@code cairn apply} (or its age to run out). */
        STAGED,
        /** Applied: its remains wait for {@code cairn cleanup}. */
        APPLIED
    }
}
