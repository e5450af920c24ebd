package dev.cairn.torture;

import dev.cairn.journal.ChronicleJournal;
import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerState;
import dev.cairn.model.StagingId;
import dev.cairn.projection.LayerIndex;
import dev.cairn.projection.LiveIndex;
import dev.cairn.projection.StagingEntry;
import dev.cairn.projection.StagingState;
import dev.cairn.recovery.Recovery;
import dev.cairn.model.RecoveryReport;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.internal.StoreLayout;
import dev.cairn.store.internal.StoreLock;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The planted bug of issue 8, as a process: {@code StaleRecoveryChild ROOT}. Again and again it runs the store's
 * real recovery ({@link Recovery#run}, under the writers' lock, as every writer's open does) from a view of the
 * journal taken while another process was still staging: it waits for a staging that is {@code STARTED} with its
 * owner alive, freezes its view of the journal there ({@link StaleJournal}), waits until the stager has appended
 * {@code DiffStaged}, released its owner lock and so returned (or printed its id), and then recovers from the stale
 * view. Recovery finds the staging {@code STARTED} with its owner gone and appends {@code StagingDiscarded} for a
 * staging that had finished: exactly the bug issue 8 saw with {@code cairn stage} beside other opens. A later apply
 * of that staging fails ("not known"). If the torture harness cannot see that, it cannot see the real bug.
 *
 * <p>No production code is changed: the stale view is handed to recovery through its public API, so this child
 * plants the bug whatever the store's own open does to avoid it. It freezes its view only when the view has no
 * unfinished layer (so a stale view does not also roll back a layer another process has since committed).
 * Says {@code READY} once it watches the store, then {@code N recovered TYPE STAGING|- at seq S from a view at seq
 * V} for each action of each recovery it ran; the parent's ledger reads {@code N} lines as notes.
 */
public final class StaleRecoveryChild {

    private StaleRecoveryChild() {
    }

    public static void main(String[] args) throws Exception {
        TortureChild.haltWhenStdinCloses(line -> { });
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        try {
            LayerStore.open(root).close(); // the store exists and is whole; this open recovers as every writer's does
        } catch (Exception | Error e) {
            TortureChild.say("E - open " + String.valueOf(e).replace('\n', ' '));
            System.exit(1);
        }
        StoreLayout layout = new StoreLayout(root);
        StaleJournal view = new StaleJournal(ChronicleJournal.open(layout.journal()));
        LiveIndex live = LiveIndex.follow(view, LayerIndex.empty());
        StoreLock lock = new StoreLock(layout.lockFile());
        Duration maxAge = StoreOptions.defaults().stagingMaxAge();
        TortureChild.say("READY");
        while (true) {
            LayerIndex now = live.catchUp();
            Optional<StagingId> victim = stagingBeingStaged(now, layout);
            if (victim.isEmpty()) {
                Thread.sleep(5);
                continue;
            }
            view.freeze(now.seq());
            if (!awaitOwnerGone(layout, victim.get())) {
                view.thaw();
                continue;
            }
            RecoveryReport report;
            try (StoreLock.Hold h = lock.acquire(Duration.ofMinutes(2))) {
                report = Recovery.run(view, live, layout, Actor.process(), Instant.now(), maxAge);
            } finally {
                view.thaw();
            }
            for (JournalRecord r : report.actions()) {
                String staging = r.event() instanceof Event.StagingEvent e ? e.staging().hex() : "-";
                TortureChild.say("N recovered " + r.event().type() + " " + staging + " at seq " + r.seq()
                        + " from a view at seq " + now.seq());
            }
        }
    }

    /** A staging another process is staging right now, if the view shows one and no unfinished layer. */
    private static Optional<StagingId> stagingBeingStaged(LayerIndex view, StoreLayout layout) throws IOException {
        if (view.entries().stream().anyMatch(l -> l.state() != LayerState.COMMITTED)) {
            return Optional.empty();
        }
        for (StagingEntry s : view.stagings()) {
            if (s.state() == StagingState.STARTED && layout.stagingOwnerAlive(s.id())) {
                return Optional.of(s.id());
            }
        }
        return Optional.empty();
    }

    /** Waits (up to 30 s) until the staging's owner lock is free: it finished, failed or was killed. */
    private static boolean awaitOwnerGone(StoreLayout layout, StagingId id) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (layout.stagingOwnerAlive(id)) {
            if (System.nanoTime() > until) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }
}
