package dev.cairn.cli;


import dev.cairn.model.HistoryRewrittenException;
import dev.cairn.store.ArchiveVerifyReport;
import dev.cairn.store.ArchivedRecords;
import dev.cairn.store.CheckpointConsistency;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StoreProofs;
import dev.cairn.store.StoreVerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Base64;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code cairn verify}: checks the journal and the layers' folders, with {@code --deep} their contents, with
 * {@code --checkpoint} that the journal extends a checkpoint kept earlier.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verifies the journal and the layers (with --deep their contents).",
                "Checks every journal record's checksum, seq and hash chain, and that every layer has its "
                + "folder. Prints a summary, then one line per problem, then one line per step recovery would take "
                + "(the unfinished work of processes that died: not damage, see 'cairn recover').",
                "With --checkpoint, also proves that the journal extends a checkpoint kept earlier (a Merkle "
                        + "consistency proof), or names the first record that differs.",
                "A journal that fails verification gets the same summary, with where it is damaged; 'cairn repair' "
                        + "then cuts it back to its last good record.",
                "After cairn archive, the journal is checked from its first kept record, linked to the last "
                        + "archived one; with --archive FILE... the archives and the journal as one history from seq "
                        + "1, and the Merkle root over it against the tree file.",
                "Exit status 1 if anything is wrong; pending recovery alone is not."})
final class VerifyCommand extends StoreCommand {

    @Option(names = "--deep", description = "Also rehash every layer's contents against its manifest.")
    boolean deep;

    @Mixin
    CheckpointFile checkpoint;

    @Mixin
    ArchiveFiles archives;

    @Override
    public Integer call() throws Exception {
        StoreVerifyReport report;
        int layers;
        Optional<ArchivedRecords> archived;
        ArchiveVerifyReport whole = null;
        try (LayerStore store = openForReading()) {
            layers = store.layers().size();
            try (Progress progress = Progress.start(main.terminal() && deep, main.err(), "verifying layers",
                    Progress.Unit.BYTES, OptionalLong.empty())) {
                report = store.verify(deep, progress);
            }
            archived = store.archivedRecords();
            if (!archives.files.isEmpty()) {
                whole = store.verifyArchives(archives.files);
            }
        } catch (JournalCorruptedException e) {
            return damagedJournal(e);
        }
        out().println("records verified: " + report.records() + archived.map(a -> " (seq " + a.firstKeptSeq() + " on; "
                + "the first links to the last archived record, " + a.lastHash() + ")").orElse(""));
        out().println("last seq:         " + report.lastSeq());
        out().println("head hash:        " + (report.headHash() == null ? "-" : report.headHash()));
        out().println("layers checked:   " + (deep ? report.layersChecked() + " (folders and contents)"
                : layers + " (folders; --deep rehashes contents)"));
        out().println("problems:         " + report.problems().size());
        out().println("recovery pending: " + report.pendingRecovery().size()
                + (report.pendingRecovery().isEmpty() ? "" : " (run 'cairn recover'; 'cairn recover --dry-run' lists it)"));
        if (whole != null) {
            out().println("archives:         " + whole.archives().size() + " checked, records 1 to "
                    + whole.archivedRecords() + ": checksums, content sha256, seq and chain, joined to the journal "
                    + "at seq " + (whole.archivedRecords() + 1));
            out().println("merkle root:      " + base64(whole.merkleRoot()) + " over records 1 to " + whole.lastSeq()
                    + (whole.treeRoot() == null ? " (no tree file to compare)" : whole.treeAgrees()
                    ? ", the tree file's" : ", but the tree file has " + base64(whole.treeRoot())));
        } else if (archived.isPresent()) {
            out().println("archived:         records before seq " + archived.get().firstKeptSeq() + " are in "
                    + archived.get().archive() + " (--archive FILE checks them too)");
        }
        report.problems().forEach(p -> out().println("problem: " + p));
        if (whole != null && !whole.treeAgrees()) {
            out().flush();
            main.err().println("cairn: the Merkle tree file disagrees with the records of the archives and the journal");
            return Main.FAILED;
        }
        report.pendingRecovery().forEach(step -> out().println("pending: " + RecoverCommand.actionName(step.action())
                + " " + step.subject() + ": " + step.reason()));
        if (checkpoint.file != null && !checkpointExtended()) {
            return Main.FAILED;
        }
        if (!report.ok()) {
            out().flush();
            main.err().println("cairn: verify found " + report.problems().size() + " problem"
                    + (report.problems().size() == 1 ? "" : "s"));
            return Main.FAILED;
        }
        return Main.OK;
    }

    /** Proves the journal extends the kept checkpoint and says so; false (after the error line) if it does not. */
    private boolean checkpointExtended() throws Exception {
        try (StoreProofs proofs = StoreProofs.open(main.root(), false, archives.files)) {
            CheckpointConsistency c;
            try {
                c = proofs.verifyCheckpoint(checkpoint.note(), checkpoint.file.toString(), checkpoint.trustedKey());
            } catch (HistoryRewrittenException e) {
                out().println("checkpoint:       " + checkpoint.file + ": the journal does NOT extend it");
                out().println("problem: " + e.getMessage());
                out().flush();
                main.err().println("cairn: " + e.getMessage());
                return false;
            } finally {
                proofs.notices().forEach(this::note);
            }
            out().println("checkpoint:       " + checkpoint.file + ": " + c.origin() + ", " + c.checkpointSize()
                    + " records, root " + base64(c.checkpointRoot()));
            out().println("signature:        good, by " + c.key() + " (" + checkpoint.keyOrigin(c.storesOwnKey())
                    + ")");
            out().println("extends:          yes: the journal's " + c.journalSize() + " records (root "
                    + base64(c.journalRoot()) + ") begin with those " + c.checkpointSize() + "; consistency proof of "
                    + c.proof().size() + (c.proof().size() == 1 ? " hash" : " hashes") + " checked");
            return true;
        }
    }

    private static String base64(dev.cairn.model.Digest hash) {
        return Base64.getEncoder().encodeToString(hash.bytes());
    }

    /**
     * The summary of a journal that fails verification: how much of it is good, where it is damaged and why, and
     * what to do about it. Exit status 1.
     */
    private int damagedJournal(JournalCorruptedException e) {
        String where = e.seq() > 0 ? "record " + e.seq() : "a journal file";
        out().println("records verified: " + (e.seq() > 1 ? (e.seq() - 1) + " (seq 1 to " + (e.seq() - 1)
                + " are sound)" : "0"));
        out().println("journal:          damaged at " + where);
        out().println("problems:         1");
        out().println("problem: journal " + where + ": " + e.reason());
        out().flush();
        main.err().println("cairn: " + Main.message(e));
        return Main.FAILED;
    }
}
