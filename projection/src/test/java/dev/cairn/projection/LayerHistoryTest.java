package dev.cairn.projection;

import dev.cairn.journal.InMemoryJournal;
import dev.cairn.model.Actor;
import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.model.StagingId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerHistoryTest {

    private final InMemoryJournal journal = new InMemoryJournal();
    private final LayerId a = LayerId.of("a".repeat(64));
    private final LayerId b = LayerId.of("b".repeat(64));
    private final StagingId sa = StagingId.random();
    private final StagingId sb = StagingId.random();

    @AfterEach
    void close() throws IOException {
        journal.close();
    }

    private void history() throws IOException {
        Digest d = Digest.sha256(new byte[] {1});
        for (Event e : List.of(
                new Event.StagingStarted(sa, 1, "h"), new Event.StagingStarted(sb, 1, "h"),
                new Event.DiffStaged(sa, d, 1, d, 1, Compression.NONE),
                new Event.DiffStaged(sb, d, 1, d, 1, Compression.NONE),
                new Event.LayerCreated(b, null, List.of(), sb, ""), new Event.LayerCommitted(b, d, 1, d, 1L, Compression.NONE),
                new Event.LayerCreated(a, null, List.of("old-name"), sa, ""),
                new Event.LayerCommitted(a, d, 1, d, 1L, Compression.NONE),
                new Event.StagingCleaned(sb), new Event.StagingCleaned(sa),
                new Event.NamesSet(a, List.of("app")), new Event.LayerDeleteStarted(a), new Event.LayerDeleted(a))) {
            journal.append(e, Actor.process());
        }
    }

    private List<String> lifeOf(String ref) throws IOException {
        LayerIndex now = Replay.asOf(journal, journal.lastSeq());
        return LayerHistory.of(journal, LayerHistory.resolve(journal, now, ref)).stream()
                .map(r -> r.seq() + " " + r.event().type()).toList();
    }

    @Test
    void theLifeOfADeletedLayerHasItsStagingsRecordsAndItsOwnInOrder() throws IOException {
        history();

        assertThat(lifeOf(a.hex())).containsExactly("1 StagingStarted", "3 DiffStaged", "7 LayerCreated",
                "8 LayerCommitted", "10 StagingCleaned", "11 NamesSet", "12 LayerDeleteStarted", "13 LayerDeleted");
    }

    @Test
    void aLayerGoneIsFoundByANameItOnceHadAndALiveOneByItsName() throws IOException {
        history();
        journal.append(new Event.NamesSet(b, List.of("now")), Actor.process());

        assertThat(lifeOf("app")).hasSize(8);
        assertThat(lifeOf("old-name")).hasSize(8);
        assertThat(lifeOf("now")).extracting(l -> l.split(" ")[1]).containsExactly("StagingStarted", "DiffStaged",
                "LayerCreated", "LayerCommitted", "StagingCleaned", "NamesSet");
        assertThatThrownBy(() -> lifeOf("never")).isInstanceOf(LayerNotFoundException.class);
    }
}
