package dev.cairn.journal;

import java.io.IOException;

/**
 * A record was asked for that is no longer in the journal's directory: it was moved to an archive file by
 * {@code cairn archive} ({@link ArchivedPrefix}). Read it from the archive ({@link JournalArchive#read}).
 */
public final class ArchivedRecordsException extends IOException {

    private final long seq;
    private final transient ArchivedPrefix prefix;

    ArchivedRecordsException(long seq, ArchivedPrefix prefix) {
        super("record " + seq + " is archived: records before seq " + prefix.firstSeq() + " are in archive "
                + prefix.archive() + " (give it with --archive)");
        this.seq = seq;
        this.prefix = prefix;
    }

    /** The record asked for. */
    public long seq() {
        return seq;
    }

    /** The prefix that holds it. */
    public ArchivedPrefix prefix() {
        return prefix;
    }
}
