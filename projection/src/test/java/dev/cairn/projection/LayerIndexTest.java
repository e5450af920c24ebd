package dev.cairn.projection;

import dev.cairn.model.Actor;
import dev.cairn.model.AmbiguousLayerException;
import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.Layer;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.model.LayerState;
import dev.cairn.model.StagingId;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerIndexTest {

    private final History history = new History();

    private LayerIndex fold(Event... events) {
        return history.fold(events);
    }

    private static Digest digest(String s) {
        return History.digest(s);
    }

    private static LayerId id(String s) {
        return LayerId.of(digest(s).hex());
    }

    private static Event.DiffStaged staged(StagingId s, String content) {
        return new Event.DiffStaged(s, digest(content), 1024, digest(content + ".gz"), 100, Compression.GZIP);
    }

    @Test
    void aCommittedLayerHasTheOciChainIdOfItsStackAndIsFoundByIt() throws Exception {
        LayerIndex index = fold(new Event.LayerCreated(id("a"), null, List.of(), null, ""),
                new Event.LayerCommitted(id("a"), digest("a"), 10, null, null, null),
                new Event.LayerCreated(id("b"), id("a"), List.of(), null, ""),
                new Event.LayerCommitted(id("b"), digest("b"), 10, null, null, null));

        Layer a = index.layer(id("a")).orElseThrow();
        Layer b = index.layer(id("b")).orElseThrow();
        assertThat(a.chainId()).isEqualTo(digest("a"));
        assertThat(b.chainId()).isEqualTo(Layer.chainId(java.util.Optional.of(digest("a")), digest("b")));
        assertThat(index.find(b.chainId().toString())).contains(b);
        assertThat(index.find(b.chainId().hex())).contains(b);

        index = fold(new Event.LayerDeleteStarted(id("b")), new Event.LayerDeleted(id("b")));
        assertThat(index.find(b.chainId().toString())).isEmpty();
    }

    @Test
    void aStagingKnowsWhetherItIsEphemeral() {
        StagingId s = StagingId.random();
        StagingId t = StagingId.random();

        LayerIndex index = fold(new Event.StagingStarted(s, 1, "h", true), staged(s, "a"),
                new Event.StagingStarted(t, 1, "h"));

        assertThat(index.staging(s).orElseThrow().ephemeral()).isTrue();
        assertThat(index.staging(t).orElseThrow().ephemeral()).isFalse();
    }

    @Test
    void aLayerIsInvisibleUntilCommitted() throws Exception {
        StagingId s = StagingId.random();
        LayerIndex index = fold(new Event.StagingStarted(s, 1, "h"), staged(s, "a"),
                new Event.LayerCreated(id("a"), null, List.of("base"), s, ""));

        assertThat(index.layer(id("a"))).isEmpty();
        assertThat(index.find("base")).isEmpty();
        assertThat(index.layers()).isEmpty();
        assertThat(index.entry(id("a"))).get().extracting(LayerEntry::state).isEqualTo(LayerState.INCOMPLETE);
        assertThat(index.nameHolder("base")).contains(id("a"));

        index = fold(new Event.LayerCommitted(id("a"), digest("a"), 1024, digest("a.gz"), 100L, Compression.GZIP));

        Layer a = index.find("base").orElseThrow();
        assertThat(a.id()).isEqualTo(id("a"));
        assertThat(a.diffDigest()).isEqualTo(digest("a"));
        assertThat(a.compression()).contains(Compression.GZIP);
        assertThat(a.created()).isEqualTo(Instant.ofEpochSecond(1003));
        assertThat(index.layersByDiffDigest(digest("a"))).containsExactly(a);
        assertThat(index.layersByCompressedDigest(digest("a.gz"))).containsExactly(a);
        assertThat(index.staging(s)).get().extracting(StagingEntry::state).isEqualTo(StagingState.APPLIED);
    }

    @Test
    void childrenAreIndexedAndReleasedOnDelete() {
        LayerIndex index = fold(
                new Event.LayerCreated(id("p"), null, List.of(), null, ""),
                new Event.LayerCommitted(id("p"), digest("p"), 1024, null, null, null),
                new Event.LayerCreated(id("c"), id("p"), List.of("child"), null, ""),
                new Event.LayerCommitted(id("c"), digest("c"), 1024, null, null, null));

        assertThat(index.children(id("p"))).extracting(Layer::id).containsExactly(id("c"));
        assertThat(index.childIds(id("p"))).containsExactly(id("c"));

        index = fold(new Event.LayerDeleteStarted(id("c")));
        assertThat(index.layer(id("c"))).as("gone for readers once the delete started").isEmpty();
        assertThat(index.nameHolder("child")).isEmpty();
        assertThat(index.layersByDiffDigest(digest("c"))).isEmpty();
        assertThat(index.entry(id("c"))).get().extracting(LayerEntry::state).isEqualTo(LayerState.REMOVING);

        index = fold(new Event.LayerDeleted(id("c")));
        assertThat(index.entry(id("c"))).isEmpty();
        assertThat(index.childIds(id("p"))).isEmpty();
    }

    @Test
    void rollBackReturnsTheStagingToStaged() {
        StagingId s = StagingId.random();
        LayerIndex index = fold(new Event.StagingStarted(s, 1, "h"), staged(s, "a"),
                new Event.LayerCreated(id("a"), null, List.of("n"), s, ""));
        assertThat(index.staging(s).orElseThrow().pendingLayer()).isEqualTo(id("a"));

        index = fold(new Event.LayerRolledBack(id("a"), "crash"));

        assertThat(index.entry(id("a"))).isEmpty();
        assertThat(index.nameHolder("n")).isEmpty();
        StagingEntry st = index.staging(s).orElseThrow();
        assertThat(st.state()).isEqualTo(StagingState.STAGED);
        assertThat(st.pendingLayer()).isNull();
    }

    @Test
    void stagingsEndWhenCleanedOrDiscarded() {
        StagingId a = StagingId.random();
        StagingId b = StagingId.random();
        LayerIndex index = fold(new Event.StagingStarted(a, 7, "h"), new Event.StagingStarted(b, 7, "h"),
                staged(a, "a"));
        assertThat(index.staging(a).orElseThrow().state()).isEqualTo(StagingState.STAGED);
        assertThat(index.staging(b).orElseThrow().state()).isEqualTo(StagingState.STARTED);

        index = fold(new Event.StagingCleaned(a), new Event.StagingDiscarded(b, "owner died"));

        assertThat(index.stagings()).isEmpty();
    }

    @Test
    void namesMetadataAndFlagsReplaceWhatWasThere() throws Exception {
        LayerIndex index = fold(
                new Event.LayerCreated(id("a"), null, List.of("x", "y"), null, "m0"),
                new Event.LayerCommitted(id("a"), digest("a"), 1024, null, null, null),
                new Event.NamesSet(id("a"), List.of("y", "z")),
                new Event.MetadataSet(id("a"), "m1"),
                new Event.FlagsSet(id("a"), Map.of("k", true)));

        Layer a = index.layer(id("a")).orElseThrow();
        assertThat(a.names()).containsExactly("y", "z");
        assertThat(a.metadata()).isEqualTo("m1");
        assertThat(a.flags()).containsEntry("k", true);
        assertThat(index.nameHolder("x")).isEmpty();
        assertThat(index.find("z")).contains(a);
    }

    @Test
    void anIdLooksUpBeforeANameThatLooksLikeAnId() throws Exception {
        LayerIndex index = fold(
                new Event.LayerCreated(id("a"), null, List.of(id("b").hex()), null, ""),
                new Event.LayerCommitted(id("a"), digest("a"), 1024, null, null, null),
                new Event.LayerCreated(id("b"), null, List.of(), null, ""),
                new Event.LayerCommitted(id("b"), digest("b"), 1024, null, null, null));

        assertThat(index.find(id("b").hex()).orElseThrow().id()).isEqualTo(id("b"));
    }

    /** Committed layers with the given ids (and no names). */
    private LayerIndex layersWithIds(String... hex) {
        List<Event> events = new ArrayList<>();
        for (String h : hex) {
            events.add(new Event.LayerCreated(LayerId.of(h), null, List.of(), null, ""));
            events.add(new Event.LayerCommitted(LayerId.of(h), digest(h), 1024, null, null, null));
        }
        return fold(events.toArray(Event[]::new));
    }

    @Test
    void aUniquePrefixOfFourOrMoreHexCharactersNamesALayer() throws Exception {
        String a = "abcd" + "0".repeat(60);
        String b = "abce" + "1".repeat(60);
        LayerIndex index = layersWithIds(a, b);

        assertThat(index.resolve("abcd").id().hex()).isEqualTo(a);
        assertThat(index.resolve(a.substring(0, 12)).id().hex()).isEqualTo(a);
        assertThat(index.resolve(b.substring(0, 63)).id().hex()).isEqualTo(b);
        assertThat(index.resolve(a).id().hex()).isEqualTo(a);
        assertThatThrownBy(() -> index.resolve("abc")).as("shorter than four")
                .isInstanceOf(LayerNotFoundException.class);
        assertThatThrownBy(() -> index.resolve("ABCD")).as("hex is lowercase")
                .isInstanceOf(LayerNotFoundException.class);
        assertThatThrownBy(() -> index.resolve("abcf")).isInstanceOf(LayerNotFoundException.class);
    }

    @Test
    void anAmbiguousPrefixIsItsOwnErrorListingTheCandidatesInIdOrder() throws Exception {
        String a = "abcd" + "0".repeat(60);
        String b = "abce" + "1".repeat(60);
        String c = "abcd" + "2".repeat(60);
        LayerIndex three = layersWithIds(b, c, a);

        assertThatThrownBy(() -> three.resolve("abcd")).isInstanceOfSatisfying(AmbiguousLayerException.class,
                e -> {
                    assertThat(e.prefix()).isEqualTo("abcd");
                    assertThat(e.candidates()).extracting(LayerId::hex).containsExactly(a, c);
                    assertThat(e.getMessage()).contains("abcd", a, c).doesNotContain(b);
                });
        assertThatThrownBy(() -> three.resolve("sha256:abc")).as("sha256: with fewer than four")
                .isInstanceOf(LayerNotFoundException.class);
        assertThatThrownBy(() -> three.resolve("sha256:abcd")).isInstanceOf(AmbiguousLayerException.class);
        assertThat(three.find("abce")).map(Layer::id).map(LayerId::hex).contains(b);
    }

    @Test
    void theDigestFormNamesAnIdOrAPrefixButNeverAName() throws Exception {
        String a = "abcd" + "0".repeat(60);
        LayerIndex index = fold(new Event.LayerCreated(LayerId.of(a), null, List.of("sha256:abcd"), null, ""),
                new Event.LayerCommitted(LayerId.of(a), digest(a), 1024, null, null, null),
                new Event.LayerCreated(id("other"), null, List.of("named"), null, ""),
                new Event.LayerCommitted(id("other"), digest("other"), 1024, null, null, null));

        assertThat(index.resolve("sha256:" + a).id().hex()).isEqualTo(a);
        assertThat(index.resolve("sha256:abcd0").id().hex()).isEqualTo(a);
        assertThatThrownBy(() -> index.resolve("sha256:named")).isInstanceOf(LayerNotFoundException.class);
        assertThatThrownBy(() -> index.resolve("sha256:" + "f".repeat(64))).isInstanceOf(LayerNotFoundException.class);
    }

    @Test
    void aNameWinsOverAPrefixItSpells() throws Exception {
        String a = "abcd" + "0".repeat(60);
        LayerIndex index = fold(new Event.LayerCreated(LayerId.of(a), null, List.of(), null, ""),
                new Event.LayerCommitted(LayerId.of(a), digest(a), 1024, null, null, null),
                new Event.LayerCreated(id("other"), null, List.of("abcd"), null, ""),
                new Event.LayerCommitted(id("other"), digest("other"), 1024, null, null, null));

        assertThat(index.resolve("abcd").id()).isEqualTo(id("other"));
        assertThat(index.resolve("abcd0").id().hex()).isEqualTo(a);
    }

    @Test
    void aLayerNotYetCommittedOrBeingDeletedMatchesNoPrefix() {
        String a = "abcd" + "0".repeat(60);
        LayerIndex index = fold(new Event.LayerCreated(LayerId.of(a), null, List.of(), null, ""));

        assertThatThrownBy(() -> index.resolve("abcd")).isInstanceOf(LayerNotFoundException.class);
    }

    @Test
    void eventsThatDoNotFitAreIgnored() {
        LayerIndex index = fold(
                new Event.LayerCommitted(id("ghost"), digest("g"), 1, null, null, null),
                new Event.LayerDeleted(id("ghost")),
                new Event.NamesSet(id("ghost"), List.of("n")),
                new Event.StagingCleaned(StagingId.random()),
                new Event.OrphanRemoved("layers/x", "test"));

        assertThat(index.layers()).isEmpty();
        assertThat(index.entries()).isEmpty();
        assertThat(index.seq()).isEqualTo(5);
    }

    @Test
    void recordsMustFollowInSeqOrder() {
        JournalRecord r = new JournalRecord(2, Instant.now(), Actor.process(),
                new Event.OrphanRemoved("x", "y"), digest(""), digest(""));

        assertThatThrownBy(() -> LayerIndex.empty().apply(r)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seq 2");
    }

    @Test
    void theSameHistoryFoldsToEqualIndexesAndEachPrefixIsAnEarlierState() {
        fold(new Event.LayerCreated(id("a"), null, List.of("a"), null, ""),
                new Event.LayerCommitted(id("a"), digest("a"), 1024, null, null, null),
                new Event.LayerDeleteStarted(id("a")),
                new Event.LayerDeleted(id("a")));

        LayerIndex whole = LayerIndex.empty().applyAll(history.records());
        assertThat(LayerIndex.empty().applyAll(history.records())).isEqualTo(whole);
        LayerIndex asOf2 = LayerIndex.empty().applyAll(history.records().subList(0, 2));
        assertThat(asOf2.layers()).extracting(Layer::id).containsExactly(id("a"));
        assertThat(whole.layers()).isEmpty();
        assertThat(asOf2).isNotEqualTo(whole);
    }

    @Test
    void theOpenSagasAreKeptApartAndEachLeavesThemWithItsEndEvent() {
        StagingId s = StagingId.random();
        dev.cairn.model.SagaOwner maker = new dev.cairn.model.SagaOwner("1".repeat(32), 5, "h");
        dev.cairn.model.SagaOwner deleter = new dev.cairn.model.SagaOwner("2".repeat(32), 6, "h");

        LayerIndex index = fold(new Event.StagingStarted(s, 1, "h"),
                new Event.LayerCreated(id("a"), null, List.of(), null, "", maker));

        assertThat(index.openSagas()).extracting(dev.cairn.model.OpenSaga::kind, dev.cairn.model.OpenSaga::subject)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(dev.cairn.model.OpenSaga.Kind.STAGE, s.hex()),
                        org.assertj.core.groups.Tuple.tuple(dev.cairn.model.OpenSaga.Kind.MAKE, id("a").hex()));
        assertThat(index.hasUnfinishedLayers()).isTrue();
        assertThat(index.unfinishedLayers()).extracting(LayerEntry::owner).containsExactly(maker);

        index = fold(staged(s, "x"), new Event.LayerCommitted(id("a"), digest("a"), 1, null, null, null),
                new Event.LayerDeleteStarted(id("a"), deleter));

        assertThat(index.openSagas()).extracting(dev.cairn.model.OpenSaga::kind, dev.cairn.model.OpenSaga::owner)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(dev.cairn.model.OpenSaga.Kind.DELETE, deleter));

        index = fold(new Event.LayerDeleted(id("a")));

        assertThat(index.openSagas()).isEmpty();
        assertThat(index.hasUnfinishedLayers()).isFalse();
    }

    @Test
    void aChainIsTheLayerAndItsParentsBaseFirst() {
        LayerIndex index = fold(new Event.LayerCreated(id("p"), null, List.of(), null, ""),
                new Event.LayerCommitted(id("p"), digest("p"), 1, null, null, null),
                new Event.LayerCreated(id("c"), id("p"), List.of(), null, ""),
                new Event.LayerCommitted(id("c"), digest("c"), 1, null, null, null),
                new Event.LayerCreated(id("g"), id("c"), List.of(), null, ""));

        assertThat(index.chain(id("c")).orElseThrow()).extracting(Layer::id).containsExactly(id("p"), id("c"));
        assertThat(index.chain(id("g"))).as("not committed").isEmpty();
    }
}
