package dev.cairn.cli;

import dev.cairn.model.RecoveryPlan;
import dev.cairn.store.LayerStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * {@code cairn prune}: gives back the disk space of what no layer needs, through the store's recovery, so every
 * removal is journaled. Output, one line each:
 * <pre>
 * would ACTION SUBJECT: REASON      (--dry-run)
 * removed: SEQ TYPE SUBJECT         (the record journaled for each removal)
 * </pre>
 * then a count and the bytes reclaimed (or that would be).
 */
@Command(name = "prune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Removes what no layer needs, each removal journaled.",
                "That is: stagings whose process died before they finished, remains of "
                + "applied stagings and of interrupted deletes and cleanups (the trash), files no journal event "
                + "accounts for, and finished stagings never applied that are older than the age given. Each "
                + "removal is a journal record (see 'cairn log'); a live process's work is never touched.",
                "Prints one line per removal, then the bytes reclaimed. 'cairn df' shows what there is to reclaim."})
final class PruneCommand extends StoreCommand {

    @Option(names = {"-n", "--dry-run"}, description = "Only say what would be removed, changing nothing.")
    boolean dryRun;

    @Option(names = "--stagings-older-than", paramLabel = "AGE", converter = Durations.class,
            description = "Also remove finished stagings not applied for AGE (e.g. 12h, 3d; 0 for all of them) "
                    + "(default: " + Durations.DEFAULT_STAGING_AGE + ", the age recovery keeps them for).")
    Duration stagingAge;

    @Override
    public Integer call() throws Exception {
        if (dryRun) {
            RecoveryPlan plan;
            long bytes;
            try (LayerStore store = openForReading(Durations.options(stagingAge))) {
                plan = store.recoveryPlan();
                bytes = store.diskUsage().reclaimableBytes();
            }
            RecoverCommand.printSteps(plan, out());
            out().println(steps(plan.steps().size()) + " to take; would reclaim " + Sizes.human(bytes));
            return Main.OK;
        }
        long before;
        try (LayerStore store = openForReading(Durations.options(stagingAge))) {
            before = store.diskUsage().totalBytes(); // before the writer's open recovers
        }
        try (LayerStore store = openForWriting(Durations.options(stagingAge))) {
            // The open recovers already (with this staging age); the run after it finds what finished dying since.
            int n = RecoverCommand.printTaken("removed: ", out(), store.recoveryReport(), store.recover());
            long after = store.diskUsage().totalBytes();
            out().println(steps(n) + " taken; reclaimed " + Sizes.human(Math.max(0, before - after)));
        }
        return Main.OK;
    }

    private static String steps(int n) {
        return n + " step" + (n == 1 ? "" : "s");
    }
}
