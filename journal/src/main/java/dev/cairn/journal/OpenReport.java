package dev.cairn.journal;

import java.util.Optional;

/**
 * What an open of a {@link ChronicleJournal} verified (docs/JOURNAL.md, "What open verifies").
 *
 * @param trusted  the prefix taken as verified: only the records after it were read; empty when every record was
 *                 read from seq 1
 * @param refusal  why the prefix the open was given was not taken (then every record was read from seq 1), e.g.
 *                 {@code the journal ends at seq 40, before seq 50}; empty when it was taken or none was given
 */
public record OpenReport(Optional<TrustedPrefix> trusted, Optional<String> refusal) {

    /** An open that read every record from seq 1 and was given no prefix. */
    static final OpenReport FROM_START = new OpenReport(Optional.empty(), Optional.empty());
}
