package dev.cairn.projection;

import dev.cairn.journal.InMemoryJournal;
import dev.cairn.model.Actor;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.LayerId;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplayTest {

    @Test
    void theIndexAsOfASeqIsTheFoldStoppedThere() throws IOException {
        try (InMemoryJournal journal = new InMemoryJournal()) {
            LayerId a = LayerId.of("a".repeat(64));
            Digest d = Digest.sha256(new byte[] {1});
            for (Event e : List.of(new Event.LayerCreated(a, null, List.of("n"), null, ""),
                    new Event.LayerCommitted(a, d, 1, null, null, null), new Event.LayerDeleteStarted(a),
                    new Event.LayerDeleted(a))) {
                journal.append(e, Actor.process());
            }

            assertThat(Replay.asOf(journal, 0)).isEqualTo(LayerIndex.empty());
            assertThat(Replay.asOf(journal, 1).layers()).as("created, not committed").isEmpty();
            assertThat(Replay.asOf(journal, 2).find("n")).isPresent();
            assertThat(Replay.asOf(journal, 3).openSagas()).hasSize(1);
            assertThat(Replay.asOf(journal, 4).entries()).isEmpty();
            assertThatThrownBy(() -> Replay.asOf(journal, 5)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ends at 4");
        }
    }
}
