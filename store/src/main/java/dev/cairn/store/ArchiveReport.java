package dev.cairn.store;

import dev.cairn.model.Digest;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link LayerStore#archiveJournal} did, or with {@code dryRun} would do.
 *
 * @param beforeSeq      the seq asked for: records before it were to be archived
 * @param firstSeq       the first record archived
 * @param lastSeq        the last record archived: where the last whole cycle file before {@code beforeSeq} ends
 * @param file           the archive file
 * @param sha256         its sha256 (null for a dry run)
 * @param bytes          its size (0 for a dry run)
 * @param cycleFiles     the journal's cycle files it replaces, removed unless a dry run
 * @param snapshotSeq    the index snapshot that covers the cut: one there was, or one written for it
 * @param snapshotWritten whether that snapshot was written for the archive (or would be, for a dry run)
 * @param resumed        whether an earlier archive to the same file, interrupted after its file was complete, was
 *                       finished instead of writing a new one
 * @param dryRun         whether nothing was done
 */
public record ArchiveReport(long beforeSeq, long firstSeq, long lastSeq, Path file, Digest sha256, long bytes,
                            List<Path> cycleFiles, long snapshotSeq, boolean snapshotWritten, boolean resumed,
                            boolean dryRun) {

    public ArchiveReport {
        cycleFiles = List.copyOf(cycleFiles);
    }

    /** How many records it holds. */
    public long records() {
        return lastSeq - firstSeq + 1;
    }
}
