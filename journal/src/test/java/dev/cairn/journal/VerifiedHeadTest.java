package dev.cairn.journal;

import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.cairn.journal.SampleEvents.ACTOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifiedHeadTest {

    @TempDir
    Path tmp;

    private static EncodedRecord sealed(long seq, String path, VerifiedHead after) throws IOException {
        return RecordCodec.seal(seq, java.time.Instant.now(), RecordCodec.prepare(ACTOR,
                new Event.OrphanRemoved(path, null)), after.lastHash());
    }

    @Test
    void itCatchesUpWithWhatOthersAppendedAndSaysWhenItIsBehindWithoutMoving() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("journal"));
        try (QueueFiles files = QueueFiles.open(dir, null, false);
             VerifiedHead head = new VerifiedHead(files, HeadListener.NONE);
             ChronicleJournal writer = ChronicleJournal.open(dir)) {
            head.load(Optional.empty());
            assertThat(head.behind()).isFalse();
            JournalRecord first = writer.append(new Event.OrphanRemoved("a", null), ACTOR);
            assertThat(head.behind()).isTrue();
            assertThat(head.behind()).isTrue();
            assertThat(head.lastSeq()).isZero();
            assertThat(head.catchUp()).extracting(EncodedRecord::record).containsExactly(first);
            assertThat(head.behind()).isFalse();
            assertThat(head.lastSeq()).isEqualTo(1);
            assertThat(head.lastHash()).isEqualTo(first.hash());
        }
    }

    @Test
    void advanceOverMovesOverWhatWasWrittenAndRefusesWhatTheQueueDoesNotHoldThere() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("journal"));
        try (QueueFiles files = QueueFiles.open(dir, null, false);
             VerifiedHead head = new VerifiedHead(files, HeadListener.NONE);
             ExcerptAppender appender = files.queue().createAppender()) {
            head.load(Optional.empty());
            EncodedRecord one = sealed(1, "one", head);
            appender.writeBytes(Bytes.wrapForRead(one.bytes()));
            head.advanceOver(List.of(one), new long[]{appender.lastIndexAppended()});
            assertThat(head.lastSeq()).isEqualTo(1);
            assertThat(head.behind()).isFalse();

            EncodedRecord two = sealed(2, "two", head);
            appender.writeBytes(Bytes.wrapForRead(two.bytes()));
            long index = appender.lastIndexAppended();
            EncodedRecord notWritten = sealed(2, "a record of another length", head);
            assertThatThrownBy(() -> head.advanceOver(List.of(notWritten), new long[]{index}))
                    .isInstanceOf(IOException.class).hasMessageContaining("journal record 2 was written at");
        }
    }

    @Test
    void theHeadListenerHearsEveryDurableRecordOnceInSeqOrderWithItsBytes() throws IOException {
        Path dir = tmp.resolve("journal");
        try (ChronicleJournal first = ChronicleJournal.open(dir)) {
            first.appendAll(List.of(new Event.OrphanRemoved("before open 1", null),
                    new Event.OrphanRemoved("before open 2", null)), ACTOR);
        }
        List<EncodedRecord> heard = new ArrayList<>();
        try (ChronicleJournal journal = ChronicleJournal.open(dir, null, records -> heard.addAll(records));
             ChronicleJournal other = ChronicleJournal.open(dir)) {
            assertThat(heard).extracting(r -> r.record().seq()).containsExactly(1L, 2L);
            journal.append(new Event.OrphanRemoved("own 3", null), ACTOR);
            other.append(new Event.OrphanRemoved("other's 4", null), ACTOR);
            journal.appendAll(List.of(new Event.OrphanRemoved("own 5", null),
                    new Event.OrphanRemoved("own 6", null)), ACTOR);
            assertThat(journal.lastSeq()).isEqualTo(6);
            List<JournalRecord> all = JournalContractTest.readAll(journal, 1);
            assertThat(heard).extracting(EncodedRecord::record).containsExactlyElementsOf(all);
            for (EncodedRecord r : heard) {
                assertThat(RecordCodec.hash(r.bytes())).isEqualTo(r.record().hash());
            }
        }
    }

    @Test
    void aHeadListenerThatFailsAfterABatchLeavesTheBatchDurableAndTheJournalRefusingAppends() throws IOException {
        Path dir = tmp.resolve("journal");
        HeadListener failing = records -> {
            if (records.get(0).record().seq() == 2) {
                throw new IOException("tree out of space");
            }
        };
        try (ChronicleJournal journal = ChronicleJournal.open(dir, null, failing)) {
            journal.append(new Event.OrphanRemoved("1", null), ACTOR);
            JournalRecord second = journal.append(new Event.OrphanRemoved("2", null), ACTOR);
            assertThat(second.seq()).isEqualTo(2);
            assertThatThrownBy(() -> journal.append(new Event.OrphanRemoved("3", null), ACTOR))
                    .isInstanceOf(IOException.class).hasMessageContaining("refuses appends")
                    .hasMessageContaining("head listener failed on records 2 to 2");
        }
        try (ChronicleJournal reopened = ChronicleJournal.open(dir)) {
            assertThat(reopened.lastSeq()).isEqualTo(2);
        }
    }
}
