package dev.cairn.journal;

import dev.cairn.model.Actor;
import dev.cairn.model.Event;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child process for the full-disk test: {@code FullDiskChild DIR FILLER} appends records of about 8 KiB to the
 * journal in DIR until an append fails, prints {@code FAILED <message>}, deletes FILLER to free space, appends once
 * more on the same journal (which must still accept appends: nothing was written) and once on a reopened one,
 * prints {@code OK <acknowledged> <lastSeq>} and exits 0. A SIGBUS would end it with status 135 instead.
 */
public final class FullDiskChild {

    private FullDiskChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path filler = Path.of(args[1]);
        Actor actor = Actor.process();
        String padding = "x".repeat(8 << 10);
        long acknowledged = 0;
        try (ChronicleJournal journal = ChronicleJournal.open(dir)) {
            try {
                for (int i = 0; i < 100_000; i++) {
                    journal.append(new Event.OrphanRemoved("fill/" + i, padding), actor);
                    acknowledged++;
                }
                System.out.println("NEVER FULL after " + acknowledged);
                System.exit(3);
            } catch (IOException e) {
                System.out.println("FAILED " + e.getClass().getName() + ": " + e.getMessage());
            }
            Files.delete(filler);
            journal.append(new Event.OrphanRemoved("after freeing space", null), actor);
            acknowledged++;
        }
        try (ChronicleJournal journal = ChronicleJournal.open(dir)) {
            journal.append(new Event.OrphanRemoved("after reopening", null), actor);
            acknowledged++;
            System.out.println("OK " + acknowledged + " " + journal.verify().lastSeq());
        }
        System.exit(0);
    }
}
