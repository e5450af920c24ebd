package dev.cairn.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One durable journal record as read back: the envelope of DESIGN.md section 4 around an {@link Event}.
 *
 * @param seq   1, 2, 3 … gapless across the whole journal
 * @param time  when the record was appended
 * @param actor who caused it
 * @param event what happened
 * @param prev  hash of record {@code seq - 1} (all zero for seq 1)
 * @param hash  hash of this record's bytes; the next record's {@code prev}
 */
public record JournalRecord(long seq, Instant time, Actor actor, Event event, Digest prev, Digest hash) {

    public JournalRecord {
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1, was " + seq);
        }
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(prev, "prev");
        Objects.requireNonNull(hash, "hash");
    }
}
