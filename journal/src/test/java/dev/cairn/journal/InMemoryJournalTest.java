package dev.cairn.journal;

import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static dev.cairn.journal.SampleEvents.ACTOR;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryJournalTest extends JournalContractTest {

    @Override
    protected Journal newJournal() {
        return new InMemoryJournal();
    }

    @Test
    void aDamagedRecordFailsVerifyAndReading() throws IOException {
        InMemoryJournal memory = (InMemoryJournal) journal;
        memory.append(deleted(1), ACTOR);
        JournalRecord second = memory.append(deleted(2), ACTOR);
        byte[] bytes = RecordCodec.encode(2, second.time(), ACTOR, deleted(9), second.prev());
        bytes[30] ^= 1;
        memory.overwrite(2, bytes);
        assertThatThrownBy(memory::verify).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("seq 2").hasMessageContaining("checksum failed");
        assertThatThrownBy(() -> readAll(memory, 1)).isInstanceOf(JournalCorruptedException.class);
    }
}
