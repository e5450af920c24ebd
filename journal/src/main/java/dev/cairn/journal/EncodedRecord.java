package dev.cairn.journal;

import dev.cairn.model.JournalRecord;

/**
 * One journal record together with its encoded bytes (RecordCodec's format): the bytes the record's hash is the
 * sha256 of, and exactly what the queue holds for it. The array is shared, never copied: nobody may change it.
 *
 * @param record the record, as every reader decodes it
 * @param bytes  its encoding
 */
record EncodedRecord(JournalRecord record, byte[] bytes) {
}
