package dev.cairn.cli;

import dev.cairn.store.LayerStore;
import dev.cairn.store.StoreProofs;
import dev.cairn.store.StoreRepairReport;
import picocli.CommandLine.Command;

/** {@code cairn repair}: cuts a damaged journal back to its last good record, keeping the damaged one aside. */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = {"Repairs a store whose journal fails verification.",
                "The damaged journal is kept whole beside "
                + "the new one (journal.damaged-<time>, never deleted automatically), the journal is cut back to "
                + "its last good record and says so in a JournalRepaired record, layers whose events were lost are "
                + "removed, and the store is verified. A sound journal is left as it is.",
                "Says which signed checkpoints the cut breaks (those of more records than it kept).",
                "Prints a summary. Exit status 1 if the repair failed or the repaired store does not verify."})
final class RepairCommand extends StoreCommand {

    @Override
    public Integer call() throws Exception {
        StoreRepairReport report = LayerStore.repair(main.root());
        if (!report.changed()) {
            out().println("journal is sound; nothing changed");
            out().println("last seq:         " + report.lastGoodSeq());
        } else {
            out().println("damage:           " + report.damage());
            out().println("damaged copy:     " + report.backup());
            out().println("last good seq:    " + report.lastGoodSeq());
            out().println("records dropped:  " + report.lostRecords());
            out().println("recovery actions: " + report.recoveryActions().size());
            report.recoveryActions().forEach(r -> out().println("recovery: " + r.seq() + " " + r.event()));
            StoreProofs.lastSigned(main.root()).ifPresent(c -> out().println("checkpoints:      " + (c.size()
                    > report.lastGoodSeq() ? "broken: every checkpoint of more than " + report.lastGoodSeq()
                    + " records, the last one signed (" + c.size() + " records) among them; the store's key signs no "
                    + "checkpoint that contradicts it, so a new key (a new log identity) is needed to sign again"
                    : "the last one signed (" + c.size() + " records) still holds")));
        }
        out().println("verified records: " + report.verified().records());
        report.verified().problems().forEach(p -> out().println("problem: " + p));
        if (!report.verified().ok()) {
            out().flush();
            main.err().println("cairn: the repaired store has " + report.verified().problems().size()
                    + " problem" + (report.verified().problems().size() == 1 ? "" : "s"));
            return Main.FAILED;
        }
        return Main.OK;
    }
}
