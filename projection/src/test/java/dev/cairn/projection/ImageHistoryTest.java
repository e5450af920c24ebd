package dev.cairn.projection;

import dev.cairn.journal.InMemoryJournal;
import dev.cairn.model.Actor;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.ImageId;
import dev.cairn.model.ImageNotFoundException;
import dev.cairn.model.LayerId;
import dev.cairn.model.SagaOwner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageHistoryTest {

    private static final SagaOwner OWNER = new SagaOwner("a".repeat(32), 1, "h");
    private final InMemoryJournal journal = new InMemoryJournal();
    private final LayerId base = LayerId.of(History.digest("base").hex());
    private final ImageId a = ImageId.ofConfig(History.digest("config-a"));
    private final ImageId b = ImageId.ofConfig(History.digest("config-b"));

    @AfterEach
    void close() throws IOException {
        journal.close();
    }

    private Event.ImageCreated created(ImageId id) {
        Digest config = Digest.parse("sha256:" + id.hex());
        return new Event.ImageCreated(id, History.digest("m-" + id.hex()), "application/vnd.oci.image.manifest.v1+json",
                10, config, 20, List.of(base), List.of(new BlobRef(config, 20)), Instant.EPOCH, OWNER);
    }

    /** a is made with two names, b takes one of them, then a is deleted. */
    private void history() throws IOException {
        for (Event e : List.of(
                new Event.LayerCreated(base, null, List.of(), null, ""),
                new Event.LayerCommitted(base, History.digest("diff"), 1, null, null, null),
                created(a), new Event.ImageCommitted(a, List.of("app:1", "old")),
                created(b), new Event.ImageNamesSet(a, List.of("old")), new Event.ImageCommitted(b, List.of("app:1")),
                new Event.ImageDeleteStarted(a, OWNER), new Event.ImageDeleted(a))) {
            journal.append(e, Actor.process());
        }
    }

    private List<String> lifeOf(String ref) throws IOException {
        LayerIndex now = Replay.asOf(journal, journal.lastSeq());
        return ImageHistory.of(journal, ImageHistory.resolve(journal, now, ref)).stream()
                .map(r -> r.seq() + " " + r.event().type()).toList();
    }

    @Test
    void theLifeOfADeletedImageIsItsOwnRecordsInOrderAlsoWhenAnotherImageTookItsName() throws IOException {
        history();

        assertThat(lifeOf(a.hex())).containsExactly("3 ImageCreated", "4 ImageCommitted", "6 ImageNamesSet",
                "8 ImageDeleteStarted", "9 ImageDeleted");
        assertThat(lifeOf("sha256:" + a.hex())).hasSize(5);
    }

    @Test
    void aNameMeansTheImageThatHasItNowElseTheLastThatHadIt() throws IOException {
        history();
        LayerIndex now = Replay.asOf(journal, journal.lastSeq());

        assertThat(ImageHistory.resolve(journal, now, "app:1")).isEqualTo(b);
        assertThat(ImageHistory.resolve(journal, now, "old")).isEqualTo(a);
        assertThat(lifeOf("app:1")).containsExactly("5 ImageCreated", "7 ImageCommitted");
    }

    @Test
    void aNameNoImageEverHadIsNotFound() throws IOException {
        history();
        LayerIndex now = Replay.asOf(journal, journal.lastSeq());

        assertThatThrownBy(() -> ImageHistory.resolve(journal, now, "never")).isInstanceOf(ImageNotFoundException.class);
    }
}
