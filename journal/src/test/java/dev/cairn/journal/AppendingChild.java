package dev.cairn.journal;

import dev.cairn.journal.tlog.TransparencyLog;
import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child process for multi-process tests: {@code AppendingChild DIR COUNT READY_FILE GO_FILE [--tree]} opens the
 * journal, creates READY_FILE, waits for GO_FILE, appends COUNT records and exits 0. With {@code --tree} it also opens
 * the journal's Merkle tree and hands each record's bytes to its hook, as the committer will; it exits 3 if the tree
 * reported anything.
 */
public final class AppendingChild {

    private AppendingChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        Path ready = Path.of(args[2]);
        Path go = Path.of(args[3]);
        boolean tree = args.length > 4 && args[4].equals("--tree");
        Actor child = Actor.process().onBehalfOf("child", null);
        try (ChronicleJournal journal = ChronicleJournal.open(dir);
             TransparencyLog log = tree ? TransparencyLog.open(dir, journal) : null) {
            Files.createFile(ready);
            while (!Files.exists(go)) {
                Thread.sleep(1);
            }
            for (int i = 0; i < count; i++) {
                JournalRecord r = journal.append(new Event.OrphanRemoved("child/" + i, null), child);
                if (log != null) {
                    List<byte[]> bytes = new ArrayList<>();
                    journal.readEncoded(r.seq(), r.seq(), (seq, b) -> bytes.add(b));
                    log.recordsDurable(r.seq(), bytes);
                }
            }
            if (log != null && !log.notices().isEmpty()) {
                System.out.println("notices: " + log.notices());
                System.exit(3);
            }
        }
        System.exit(0);
    }
}
