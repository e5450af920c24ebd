package dev.cairn.projection;

import dev.cairn.journal.ForwardingJournal;
import dev.cairn.journal.InMemoryJournal;
import dev.cairn.journal.Journal;
import dev.cairn.journal.JournalCursor;
import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LiveIndexTest {

    private final InMemoryJournal journal = new InMemoryJournal();
    private final Counting counting = new Counting(journal);
    private final Actor actor = Actor.process();

    @AfterEach
    void close() throws IOException {
        journal.close();
    }

    @Test
    void recordsThisProcessAppendedAreFoldedAsReturnedWithoutBeingReadBack() throws IOException {
        LiveIndex live = LiveIndex.follow(counting, LayerIndex.empty());
        long readsBefore = counting.recordsRead.get();

        List<JournalRecord> mine = journal.appendAll(List.of(created(1), committed(1)), actor);
        LayerIndex index = live.accept(mine);

        assertThat(index.seq()).isEqualTo(2);
        assertThat(index.layer(id(1))).isPresent();
        assertThat(counting.recordsRead.get()).as("no record read back").isEqualTo(readsBefore);
        assertThat(live.catchUp()).as("a later catch-up reads on from there").isEqualTo(index);
        assertThat(counting.recordsRead.get()).isEqualTo(readsBefore);
    }

    @Test
    void otherProcessesRecordsBeforeMineAreReadFirstInSeqOrder() throws IOException {
        LiveIndex live = LiveIndex.follow(counting, LayerIndex.empty());
        journal.appendAll(List.of(created(1), committed(1)), actor); // as if another process appended them

        List<JournalRecord> mine = journal.appendAll(List.of(new Event.MetadataSet(id(1), "m")), actor);
        LayerIndex index = live.accept(mine);

        assertThat(index.seq()).isEqualTo(3);
        assertThat(index.layer(id(1)).orElseThrow().metadata()).isEqualTo("m");
        assertThat(counting.recordsRead.get()).as("only the two others' records were read").isEqualTo(2);
        assertThat(index).isEqualTo(Replay.asOf(journal, 3));
    }

    @Test
    void recordsAlreadyFoldedByAnotherThreadArePassedOver() throws IOException {
        LiveIndex live = LiveIndex.follow(journal, LayerIndex.empty());
        List<JournalRecord> mine = journal.appendAll(List.of(created(1)), actor);
        live.catchUp();

        assertThat(live.accept(mine).seq()).isEqualTo(1);
    }

    @Test
    void aRecordThatDoesNotChainOntoTheIndexIsRefused() throws IOException {
        LiveIndex live = LiveIndex.follow(journal, LayerIndex.empty());
        live.accept(journal.appendAll(List.of(created(1)), actor));
        InMemoryJournal other = new InMemoryJournal();
        other.append(created(2), actor);
        JournalRecord foreign = other.append(created(3), actor);

        assertThatThrownBy(() -> live.accept(List.of(foreign))).isInstanceOf(IOException.class)
                .hasMessageContaining("does not follow record 1");
        other.close();
    }

    @Test
    void aRecordThatFailsToFoldIsReadAgainByTheNextCatchUpNotPassedOver() throws IOException {
        InMemoryJournal other = new InMemoryJournal();
        other.append(created(7), actor);
        JournalRecord foreign = other.append(created(8), actor); // seq 2, chained onto another journal's record 1
        other.close();
        LiveIndex live = LiveIndex.follow(new Counting(journal, r -> r.seq() == 2 ? foreign : r), LayerIndex.empty());
        journal.appendAll(List.of(created(1), committed(1), created(2)), actor);

        for (int attempt = 1; attempt <= 2; attempt++) {
            assertThatThrownBy(live::catchUp).as("attempt %d", attempt).isInstanceOf(IOException.class)
                    .hasMessageContaining("journal record 2 does not follow record 1");
        }
        assertThat(live.current().seq()).isEqualTo(1);
    }

    private static LayerId id(int n) {
        return LayerId.of(String.format("%064x", n));
    }

    private static Event created(int n) {
        return new Event.LayerCreated(id(n), null, List.of(), null, "");
    }

    private static Event committed(int n) {
        return new Event.LayerCommitted(id(n), dev.cairn.model.Digest.sha256(new byte[] {(byte) n}), 1, null, null,
                null);
    }

    /** A journal that counts the records its cursors return, and can return others in their place. */
    private static final class Counting extends ForwardingJournal {
        final UnaryOperator<JournalRecord> returned;
        final AtomicLong recordsRead = new AtomicLong();

        Counting(Journal inner) {
            this(inner, r -> r);
        }

        /** Its cursors return {@code returned} of each record instead of the record. */
        Counting(Journal inner, UnaryOperator<JournalRecord> returned) {
            super(inner);
            this.returned = returned;
        }

        @Override
        public JournalCursor read(long fromSeq) throws IOException {
            JournalCursor c = delegate.read(fromSeq);
            return new JournalCursor() {
                @Override
                public JournalRecord next() throws IOException {
                    JournalRecord r = c.next();
                    if (r == null) {
                        return null;
                    }
                    recordsRead.incrementAndGet();
                    return returned.apply(r);
                }

                @Override
                public void close() {
                    c.close();
                }
            };
        }
    }
}
