package dev.cairn.journal;

import dev.cairn.model.Digest;

/**
 * What {@link Journal#verify()} checked.
 *
 * @param records  how many records were read and verified
 * @param lastSeq  the seq of the last one (0 when empty)
 * @param lastHash the hash of the last one (the chain head); null when empty
 */
public record VerifyReport(long records, long lastSeq, Digest lastHash) {
}
