package dev.cairn.cli;

import dev.cairn.model.JournalRecord;
import dev.cairn.model.OpenSaga;
import dev.cairn.model.RecoveryPlan;
import dev.cairn.model.RecoveryReport;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;

/**
 * {@code cairn recover}: runs recovery now, or with {@code --dry-run} says what it would do. Output, one line each:
 * <pre>
 * would ACTION SUBJECT: REASON          (--dry-run: a step recovery would take)
 * in progress: KIND SUBJECT by process PID on HOST   (a live process's saga, left alone)
 * recovered: SEQ TYPE SUBJECT           (a step taken: the record it journaled)
 * </pre>
 * then a count. The actions are {@code roll-back-layer}, {@code finish-delete}, {@code discard-staging},
 * {@code clean-staging} and {@code remove-orphan}.
 */
@Command(name = "recover", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Finishes what processes that died left unfinished, now.",
                "Rolls back their half-made layers, "
                + "completes their deletions, discards their unfinished stagings and removes files no journal event "
                + "accounts for, each step journaled. A live process's work is never touched.",
                "Every writer's open does this too; this command is for an operator after a crash, e.g. to get "
                        + "back the disk space of a dead process's staging without waiting for the next write."})
final class RecoverCommand extends StoreCommand {

    @Option(names = {"-n", "--dry-run"},
            description = "Only say what recovery would do, changing nothing (works on a store this user may only "
                    + "read).")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        if (dryRun) {
            RecoveryPlan plan;
            try (LayerStore store = openForReading()) {
                plan = store.recoveryPlan();
            }
            printSteps(plan, out());
            printInProgress(plan);
            out().println(plan.steps().size() + " step" + (plan.steps().size() == 1 ? "" : "s")
                    + " to take; run 'cairn recover' to take them");
            return Main.OK;
        }
        // The open recovers already; the run after it finds what finished dying since.
        try (LayerStore store = LayerStore.open(main.root(), StoreOptions.defaults())) {
            int n = printTaken("recovered: ", out(), store.recoveryReport(), store.recover());
            printInProgress(store.recoveryPlan());
            out().println(n + " step" + (n == 1 ? "" : "s") + " taken");
        }
        return Main.OK;
    }

    private void printInProgress(RecoveryPlan plan) {
        for (OpenSaga saga : plan.inProgress()) {
            out().println("in progress: " + saga.kind().name().toLowerCase(java.util.Locale.ROOT) + " "
                    + saga.subject() + " by " + saga.owner());
        }
    }

    /** One {@code would ACTION SUBJECT: REASON} line per step of {@code plan}. */
    static void printSteps(RecoveryPlan plan, PrintStream out) {
        for (RecoveryPlan.Step step : plan.steps()) {
            out.println("would " + actionName(step.action()) + " " + step.subject() + ": " + step.reason());
        }
    }

    /** One {@code PREFIX RECORD} line per record the reports journaled; returns how many. */
    static int printTaken(String prefix, PrintStream out, RecoveryReport... reports) {
        int n = 0;
        for (RecoveryReport r : reports) {
            for (JournalRecord rec : r.actions()) {
                out.println(prefix + RecordView.textLine(rec));
                n++;
            }
        }
        return n;
    }

    /** {@code ROLL_BACK_LAYER} → {@code roll-back-layer}. */
    static String actionName(RecoveryPlan.Action a) {
        return a.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
