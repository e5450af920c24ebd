package dev.cairn.store;

import dev.cairn.model.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallerTest {

    @TempDir
    Path root;

    @Test
    void everyRecordOfACallMadeThroughAViewCarriesTheCaller() throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            store.create(LayerSpec.base().withName("mine"));
            long before = store.lastSeq();

            LayerStore alice = store.as(new Caller("alice", "req-7", "push library/alpine:3.20"));
            alice.create(LayerSpec.on("mine").withName("hers"));
            alice.setNames("hers", List.of("renamed"));
            store.as(Caller.principal("bob")).delete("renamed");

            List<JournalRecord> records;
            try (Stream<JournalRecord> all = store.history(1)) {
                records = all.toList();
            }
            assertThat(records.subList(0, (int) before)).allSatisfy(r -> {
                assertThat(r.actor().principal()).isNull();
                assertThat(r.actor().reason()).isNull();
            });
            List<JournalRecord> hers = records.stream().filter(r -> "alice".equals(r.actor().principal())).toList();
            assertThat(hers).hasSize(3).allSatisfy(r -> {
                assertThat(r.actor().requestId()).isEqualTo("req-7");
                assertThat(r.actor().reason()).isEqualTo("push library/alpine:3.20");
                assertThat(r.actor().pid()).isEqualTo(ProcessHandle.current().pid());
            });
            assertThat(records.get(records.size() - 1).actor().principal()).isEqualTo("bob");
            assertThat(records.get(records.size() - 1).actor().reason()).isNull();
        }
        try (LayerStore again = LayerStore.openReadOnly(root, StoreOptions.defaults());
             Stream<JournalRecord> all = again.history(1)) {
            assertThat(all.filter(r -> "alice".equals(r.actor().principal())).map(r -> r.actor().reason()))
                    .as("read back from the journal's bytes").containsOnly("push library/alpine:3.20").hasSize(3);
        }
    }

    @TempDir
    Path images;

    @Test
    void anImageImportThroughAViewJournalsItsParallelStagingsAsTheCallerWithItsClient() throws IOException {
        TestImage.Written w = TestImage.oci(images.resolve("layout"), "v1",
                List.of(TestImage.plainTar(1, 5), TestImage.plainTar(2, 5), TestImage.plainTar(3, 5)), true, "{}");
        Caller caller = new Caller("dave", "req-9", "10.2.3.4", "import app:v1");
        try (LayerStore store = LayerStore.open(root)) {
            store.as(caller).importImage(dev.cairn.oci.ImageReference.parse(w.reference()),
                    dev.cairn.oci.Platform.of("linux", "amd64", null), new ImageSpec(List.of("app:v1")), n -> { });
            List<JournalRecord> records;
            try (Stream<JournalRecord> all = store.history(1)) {
                records = all.toList();
            }
            dev.cairn.model.Actor expected = dev.cairn.model.Actor.process().onBehalfOf("dave", "req-9")
                    .withClient("10.2.3.4").withReason("import app:v1");
            assertThat(records).filteredOn(r -> r.event() instanceof dev.cairn.model.Event.StagingStarted)
                    .as("one staging per layer, on the import's worker threads").hasSize(3);
            assertThat(records).as("every record of the import, its stagings included")
                    .allSatisfy(r -> assertThat(r.actor()).isEqualTo(expected));
        }
    }

    @Test
    void aViewAnswersQueriesAndClosingItLeavesTheStoreOpen() throws IOException {
        try (LayerStore store = LayerStore.open(root)) {
            LayerStore view = store.as(Caller.principal("carol").withRequestId("r1").withReason("why"));
            view.create(LayerSpec.base().withName("x"));
            view.close();

            assertThat(store.layer("x").names()).containsExactly("x");
            assertThat(view.layer("x")).isEqualTo(store.layer("x"));
            store.close();
            assertThatThrownBy(() -> view.layers()).isInstanceOf(dev.cairn.model.StoreClosedException.class);
        }
    }

    @Test
    void aCallerIsCheckedWhenMade() {
        assertThatThrownBy(() -> Caller.principal("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("principal");
        assertThatThrownBy(() -> new Caller("a", "b", "two\nlines")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> new Caller("a", "x".repeat(Caller.MAX_LENGTH + 1), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestId");
        assertThat(new Caller(null, null, null).principal()).isNull();
        assertThatThrownBy(() -> Caller.principal("a").withClient("10.0.0.1\r")).hasMessageContaining("client");
        assertThat(Caller.principal("a").withClient("10.0.0.1").withReason("r"))
                .isEqualTo(new Caller("a", null, "10.0.0.1", "r"));
    }
}
