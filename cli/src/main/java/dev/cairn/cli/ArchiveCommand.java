package dev.cairn.cli;

import dev.cairn.store.ArchiveReport;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code cairn archive}: the journal's oldest cycle files into an archive file (docs/JOURNAL.md, "Archiving"). */
@Command(name = "archive", mixinStandardHelpOptions = true,
        description = {"Moves the journal's oldest records into a compressed, self-verifying archive file.",
                "Takes the whole cycle files (one per UTC day) whose records all come before SEQ, never the last "
                        + "one, and says where the archive actually ends. The file is written, fsynced and read "
                        + "back whole, the move is journaled (JournalArchived), and only then are the cycle files "
                        + "removed; an index snapshot covering the cut is written first if there is none.",
                "Afterwards every open starts from that snapshot; log, history and replay read the archived "
                        + "records with --archive FILE, verify --archive FILE checks the whole history from seq 1.",
                "An archive interrupted by a crash is finished by running the same command again."})
final class ArchiveCommand extends StoreCommand {

    @Option(names = "--before", required = true, paramLabel = "SEQ",
            description = "Archive records before this seq (at most: whole cycle files only).")
    long before;

    @Option(names = "--to", required = true, paramLabel = "FILE",
            description = "The archive file to write; it must not exist, and must be outside the store.")
    Path to;

    @Option(names = {"-n", "--dry-run"}, description = "Say what would be archived; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        ArchiveReport r;
        try (LayerStore store = dryRun ? openForReading() : openForWriting()) {
            r = store.archiveJournal(before, to, dryRun);
        }
        String verb = r.dryRun() ? "would archive: " : "archived:       ";
        out().println(verb + "records " + r.firstSeq() + " to " + r.lastSeq() + " (" + r.records() + ")"
                + (r.lastSeq() < before - 1 ? "; the last whole cycle file before seq " + before + " ends at seq "
                + r.lastSeq() : ""));
        out().println("to:             " + r.file() + (r.dryRun() ? "" : " (" + r.bytes() + " bytes, " + r.sha256()
                + ")") + (r.resumed() ? ", finishing the interrupted archive to it" : ""));
        out().println((r.dryRun() ? "would remove:   " : "removed:        ") + r.cycleFiles().size()
                + " cycle file" + (r.cycleFiles().size() == 1 ? "" : "s") + " from the journal");
        out().println("snapshot:       index snapshot at seq " + r.snapshotSeq() + (r.snapshotWritten()
                ? (r.dryRun() ? " would be written for the cut" : ", written for the cut") : ", there already"));
        if (!r.dryRun()) {
            out().println("journal:        begins at seq " + (r.lastSeq() + 1) + " now; records before it are in "
                    + r.file());
        }
        return Main.OK;
    }
}
