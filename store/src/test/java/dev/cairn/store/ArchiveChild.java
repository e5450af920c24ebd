package dev.cairn.store;

import dev.cairn.model.JournalRecord;
import dev.cairn.model.internal.FaultPoints;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A second process for the archive tests. {@code ArchiveChild ROOT archive BEFORE FILE}: opens the store, says
 * {@code READY}, archives (with {@code -Dcairn.crashAt=POINT} it halts there; with {@code -Dcairn.test.pauseAt=POINT}
 * it says {@code PAUSED POINT} there and sleeps, for the parent to SIGKILL it, or with
 * {@code -Dcairn.test.pauseUntil=FILE} until FILE exists), says {@code ARCHIVED <lastSeq>}.
 * {@code ArchiveChild ROOT tail}: opens the store read-only, says {@code READY <lastSeq>}, then for every record
 * appended from then on {@code SEQ <seq> <type> LAYERS <n>}, until killed. {@code FAILED <exception>} if it fails.
 */
public final class ArchiveChild {

    private ArchiveChild() {
    }

    public static void main(String[] args) throws Exception {
        try {
            Path root = Path.of(args[0]);
            String pauseAt = System.getProperty("cairn.test.pauseAt");
            if (pauseAt != null) {
                FaultPoints.install(point -> {
                    if (point.equals(pauseAt)) {
                        say("PAUSED " + point);
                        String until = System.getProperty("cairn.test.pauseUntil");
                        try {
                            for (int i = 0; i < 1200 && (until == null || !Files.exists(Path.of(until))); i++) {
                                Thread.sleep(100);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
            }
            if (args[1].equals("archive")) {
                try (LayerStore store = LayerStore.open(root)) {
                    say("READY");
                    ArchiveReport r = store.archiveJournal(Long.parseLong(args[2]), Path.of(args[3]), false);
                    say("ARCHIVED " + r.lastSeq());
                }
                return;
            }
            try (LayerStore store = LayerStore.openReadOnly(root, StoreOptions.defaults());
                 RecordSubscription s = store.subscribe(store.lastSeq() + 1)) {
                say("READY " + store.lastSeq());
                while (true) {
                    JournalRecord r = s.next(Duration.ofMillis(200));
                    if (r != null) {
                        say("SEQ " + r.seq() + " " + r.event().type() + " LAYERS " + store.layers().size());
                    }
                }
            }
        } catch (Exception | Error e) {
            say("FAILED " + String.valueOf(e).replace('\n', ' '));
            throw e;
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
