package dev.cairn.journal;

import dev.cairn.model.Actor;
import dev.cairn.model.Event;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child process for multi-process tests: {@code AppendingChild DIR COUNT READY_FILE GO_FILE} opens the journal,
 * creates READY_FILE, waits for GO_FILE, appends COUNT records and exits 0.
 */
public final class AppendingChild {

    private AppendingChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        Path ready = Path.of(args[2]);
        Path go = Path.of(args[3]);
        Actor child = Actor.process().onBehalfOf("child", null);
        try (ChronicleJournal journal = ChronicleJournal.open(dir)) {
            Files.createFile(ready);
            while (!Files.exists(go)) {
                Thread.sleep(1);
            }
            for (int i = 0; i < count; i++) {
                journal.append(new Event.OrphanRemoved("child/" + i, null), child);
            }
        }
        System.exit(0);
    }
}
