package dev.cairn.journal;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child process that dies in the middle of a Chronicle document: {@code KilledWriterChild DIR READY_FILE} opens
 * the queue as ChronicleJournal does, starts a document, writes half a record's worth of bytes, creates READY_FILE
 * and waits to be killed with SIGKILL.
 */
public final class KilledWriterChild {

    private KilledWriterChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir.toFile()).rollCycle(RollCycles.FAST_DAILY)
                .checkInterrupts(false).build();
        ExcerptAppender appender = queue.createAppender();
        DocumentContext dc = appender.writingDocument();
        dc.wire().bytes().write(new byte[]{0x43, 0x52, 0x4E, 0x4A, 1, 0, 0, 0});
        Files.createFile(Path.of(args[1]));
        Thread.sleep(600_000);
        dc.close();
    }
}
