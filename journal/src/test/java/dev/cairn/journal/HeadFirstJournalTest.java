package dev.cairn.journal;

import dev.cairn.model.Event;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static dev.cairn.journal.SampleEvents.ACTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ChronicleJournal#openReadOnlyAtHead}: answered from the head checkpoint while it names the prefix, the queue
 * opened (with the checks of {@link ChronicleJournal#openReadOnlyAfter}) at the first need, and no such journal when
 * the head names anything else or may lag.
 */
class HeadFirstJournalTest {

    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("journal");
    }

    private List<JournalRecord> append(int count, String marker) throws IOException {
        List<JournalRecord> out = new ArrayList<>();
        try (ChronicleJournal journal = ChronicleJournal.open(dir())) {
            for (int i = 1; i <= count; i++) {
                out.add(journal.append(new Event.OrphanRemoved(marker + "-" + i, null), ACTOR));
            }
        }
        return out;
    }

    private static TrustedPrefix prefixOf(JournalRecord r) {
        return new TrustedPrefix(r.seq(), r.hash());
    }

    private HeadFirstJournal atHead(TrustedPrefix prefix) {
        return (HeadFirstJournal) ChronicleJournal.openReadOnlyAtHead(dir(), prefix).orElseThrow();
    }

    @Test
    void atTheHeadLastSeqComesFromTheCheckpointAndTheQueueOpensOnlyToRead() throws IOException {
        List<JournalRecord> records = append(3, "A");
        try (HeadFirstJournal journal = atHead(prefixOf(records.get(2)))) {
            assertThat(journal.lastSeq()).isEqualTo(3);
            assertThat(journal.lastSeq()).isEqualTo(3);
            assertThat(journal.queueOpened()).isFalse();
            assertThatThrownBy(() -> journal.append(new Event.OrphanRemoved("x", null), ACTOR))
                    .isInstanceOf(IOException.class).hasMessageContaining("read-only");
            assertThat(journal.queueOpened()).isFalse();
            try (JournalCursor cursor = journal.read(1)) {
                assertThat(cursor.next()).isEqualTo(records.get(0));
            }
            assertThat(journal.queueOpened()).isTrue();
            assertThat(journal.verify().lastSeq()).isEqualTo(3);
        }
    }

    @Test
    void aRecordAppendedAfterTheOpenMovesTheHeadAndLastSeqOpensTheQueue() throws IOException {
        List<JournalRecord> records = append(2, "A");
        try (HeadFirstJournal journal = atHead(prefixOf(records.get(1)))) {
            assertThat(journal.lastSeq()).isEqualTo(2);
            append(1, "B");
            assertThat(journal.lastSeq()).isEqualTo(3);
            assertThat(journal.queueOpened()).isTrue();
        }
    }

    @Test
    void noHeadFirstJournalWhenTheHeadNamesAnotherRecordOrIsOld() throws IOException {
        List<JournalRecord> records = append(3, "A");
        assertThat(ChronicleJournal.openReadOnlyAtHead(dir(), prefixOf(records.get(1)))).isEmpty();
        assertThat(ChronicleJournal.openReadOnlyAtHead(dir(), new TrustedPrefix(3, records.get(1).hash()))).isEmpty();
        assertThat(ChronicleJournal.openReadOnlyAtHead(tmp.resolve("none"), prefixOf(records.get(2)))).isEmpty();
        Path head = dir().resolve(HeadCheckpoint.FILE);
        Files.setLastModifiedTime(head, FileTime.fromMillis(1_000_000));
        assertThat(ChronicleJournal.openReadOnlyAtHead(dir(), prefixOf(records.get(2))))
                .as("a head written before this boot").isEmpty();
        Files.setLastModifiedTime(head, FileTime.fromMillis(System.currentTimeMillis()));
        assertThat(ChronicleJournal.openReadOnlyAtHead(dir(), prefixOf(records.get(2)))).isPresent();
        Files.write(head, new byte[]{1, 2, 3});
        assertThat(ChronicleJournal.openReadOnlyAtHead(dir(), prefixOf(records.get(2)))).as("damaged").isEmpty();
    }

    @Test
    void aJournalThatNoLongerHoldsThePrefixIsRefusedAtTheFirstRead() throws IOException {
        List<JournalRecord> records = append(2, "A");
        try (HeadFirstJournal journal = atHead(prefixOf(records.get(1)))) {
            // another journal under the same directory: same seqs, other records, its head moved past the prefix
            for (String name : Files.list(dir()).map(p -> p.getFileName().toString()).toList()) {
                Files.delete(dir().resolve(name));
            }
            append(3, "C");
            assertThatThrownBy(journal::lastSeq).isInstanceOf(JournalCorruptedException.class)
                    .hasMessageContaining("no longer holds record 2");
            assertThat(journal.queueOpened()).isFalse();
        }
    }

    @Test
    void aWritableOpenBringsAHeadThatLagsTheQueueUpToDate() throws IOException {
        List<JournalRecord> records = append(3, "A");
        new HeadCheckpoint(1, records.get(0).hash()).writeDurably(dir());
        assertThat(ChronicleJournal.openReadOnlyAtHead(dir(), prefixOf(records.get(2)))).isEmpty();
        ChronicleJournal.open(dir()).close();
        assertThat(HeadCheckpoint.read(dir())).contains(new HeadCheckpoint(3, records.get(2).hash()));
        assertThat(ChronicleJournal.openReadOnlyAtHead(dir(), prefixOf(records.get(2)))).isPresent();
    }

    @Test
    void afterCloseEveryMethodFails() throws IOException {
        List<JournalRecord> records = append(1, "A");
        HeadFirstJournal journal = atHead(prefixOf(records.get(0)));
        journal.close();
        journal.close();
        assertThatThrownBy(journal::lastSeq).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> journal.read(1)).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }
}
