package dev.cairn.journal;

import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import net.openhft.chronicle.core.time.SetTimeProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A child process for the test of a denied append, run where it may not ignore file modes:
 * {@code DeniedAppendChild DIR READY GO AGAIN} opens the journal in DIR on a test clock, appends one record, creates
 * READY and waits for GO (meanwhile the test makes DIR read-only); then moves its clock to the next day, so that the
 * next append needs a new cycle file, and appends: it prints {@code FAILED <exception class>: <message>}. It waits for
 * AGAIN (DIR writable again), appends on the same journal and prints {@code OK <seq>}.
 */
public final class DeniedAppendChild {

    private DeniedAppendChild() {
    }

    public static void main(String[] args) throws Exception {
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2026-01-01T12:00:00Z"));
        Actor actor = Actor.process();
        try (ChronicleJournal journal = ChronicleJournal.open(Path.of(args[0]), time)) {
            journal.append(new Event.OrphanRemoved("day 1", null), actor);
            Files.createFile(Path.of(args[1]));
            await(Path.of(args[2]));
            time.advanceMillis(TimeUnit.DAYS.toMillis(1));
            try {
                journal.append(new Event.OrphanRemoved("day 2, denied", null), actor);
                System.out.println("NOT DENIED");
            } catch (IOException e) {
                System.out.println("FAILED " + e.getClass().getName() + ": " + e.getMessage());
            }
            System.out.flush();
            await(Path.of(args[3]));
            System.out.println("OK " + journal.append(new Event.OrphanRemoved("day 2", null), actor).seq());
        }
        System.exit(0);
    }

    private static void await(Path file) throws InterruptedException {
        while (!Files.exists(file)) {
            Thread.sleep(2);
        }
    }
}
