package dev.cairn.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.io.CorruptFrameException;
import dev.cairn.journal.EventJson;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.ImageId;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.StagingId;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexSnapshotTest {

    private static final SagaOwner OWNER = new SagaOwner("0123456789abcdef0123456789abcdef", 42, "host-a");
    private static final Digest HASH = History.digest("record hash");

    private final History history = new History();

    private static Digest digest(String s) {
        return History.digest(s);
    }

    private static LayerId id(String s) {
        return LayerId.of(digest(s).hex());
    }

    private static StagingId staging(int n) {
        return StagingId.of(String.format("%032x", n));
    }

    private static BlobRef blob(String s) {
        return new BlobRef(digest(s), s.length());
    }

    /**
     * A history that leaves every kind of state in the index: committed layers with and without compressed fields,
     * names, metadata and flags of every JSON kind, a child, an INCOMPLETE and a REMOVING layer, stagings STARTED,
     * STAGED (ephemeral too) and APPLIED, images COMMITTED with names, INCOMPLETE and REMOVING.
     */
    private List<Event> everyState() {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("string", "ü \u0000 text");
        flags.put("int", 5);
        flags.put("long", 5_000_000_000L);
        flags.put("double", 2.5);
        flags.put("bool", true);
        flags.put("null", null);
        flags.put("list", List.of(1, "two"));
        flags.put("map", Map.of("k", "v"));
        List<Event> events = new ArrayList<>(List.of(
                new Event.StagingStarted(staging(1), 11, "host-a", false),
                new Event.DiffStaged(staging(1), digest("d1"), 100, digest("c1"), 50, Compression.GZIP),
                new Event.LayerCreated(id("base"), null, List.of("base", "latest"), staging(1), "meta", OWNER),
                new Event.LayerCommitted(id("base"), digest("d1"), 100, digest("c1"), 50L, Compression.GZIP),
                new Event.FlagsSet(id("base"), flags),
                new Event.MetadataSet(id("base"), "x".repeat(70_000)),
                new Event.LayerCreated(id("child"), id("base"), List.of("child"), null, null),
                new Event.LayerCommitted(id("child"), digest("d2"), 0, null, null, null),
                new Event.NamesSet(id("child"), List.of("child-renamed")),
                new Event.LayerCreated(id("making"), id("base"), List.of("making"), null, "", OWNER),
                new Event.LayerCreated(id("going"), null, List.of("going"), null, ""),
                new Event.LayerCommitted(id("going"), digest("d3"), 3, digest("c3"), 3L, Compression.ZSTD),
                new Event.LayerDeleteStarted(id("going"), OWNER),
                new Event.StagingStarted(staging(2), 12, "host-b", false),
                new Event.StagingStarted(staging(3), 13, "host-c", true),
                new Event.DiffStaged(staging(3), digest("d4"), 4, digest("c4"), 4, Compression.NONE),
                new Event.StagingStarted(staging(4), 14, null, false),
                new Event.DiffStaged(staging(4), digest("d5"), 5, digest("c5"), 5, Compression.GZIP),
                new Event.ImageCreated(ImageId.ofConfig(digest("cfg1")), digest("m1"),
                        "application/vnd.oci.image.manifest.v1+json", 10, digest("cfg1"), 4,
                        List.of(id("base"), id("child")), List.of(blob("m1"), blob("cfg1"), blob("c1")),
                        Instant.parse("2026-01-01T00:00:00.123456789Z"), OWNER),
                new Event.ImageCommitted(ImageId.ofConfig(digest("cfg1")), List.of("app:v1", "app:latest")),
                new Event.ImageCreated(ImageId.ofConfig(digest("cfg2")), digest("m2"), "type", 10, digest("cfg2"), 4,
                        List.of(id("base")), List.of(blob("m2"), blob("cfg2"), blob("c1")), null, OWNER),
                new Event.ImageCreated(ImageId.ofConfig(digest("cfg3")), digest("m3"), "type", 10, digest("cfg3"), 4,
                        List.of(id("base")), List.of(blob("m3")), null, OWNER),
                new Event.ImageCommitted(ImageId.ofConfig(digest("cfg3")), List.of("gone")),
                new Event.ImageDeleteStarted(ImageId.ofConfig(digest("cfg3")), OWNER),
                // a registry's repositories: open uploads, blob links, manifests (one of an image), tags
                new Event.UploadStarted("lib/app", "u-open", "sha256"),
                new Event.UploadStarted("lib/app", "u-done", "sha256"),
                new Event.BlobLinked("lib/app", digest("c1").toString(), digest("c1"), 50, "u-done"),
                new Event.BlobLinked("lib/app", digest("cfg1").toString(), digest("cfg1"), 4, null),
                new Event.BlobLinked("other/app", digest("c1").toString(), digest("c1"), 50, null),
                new Event.BlobLinked("other/app", digest("x").toString(), digest("x"), 1, null),
                new Event.BlobUnlinked("other/app", digest("x").toString()),
                new Event.ManifestPut("lib/app", digest("m1").toString(), digest("m1"),
                        "application/vnd.oci.image.manifest.v1+json", 10, null, List.of("v1", "latest"),
                        ImageId.ofConfig(digest("cfg1"))),
                new Event.ManifestPut("lib/app", digest("sig").toString(), digest("sig"), "application/x-sig", 3,
                        digest("m1").toString(), List.of(), null),
                new Event.TagDeleted("lib/app", "latest"),
                new Event.UploadStarted("lib/app", "u-gone", "sha512"),
                new Event.UploadDiscarded("lib/app", "u-gone", "abandoned")));
        return events;
    }

    @Test
    void aSnapshotReadsBackAsTheIndexItWasMadeOfWithEveryStateInIt() throws Exception {
        LayerIndex index = history.fold(everyState().toArray(Event[]::new));
        assertThat(index.openSagas()).hasSize(5);

        IndexSnapshot snapshot = IndexSnapshot.of(index, HASH);
        IndexSnapshot back = IndexSnapshot.read(snapshot.bytes(), "test");

        assertThat(back.index()).isEqualTo(index);
        assertThat(back.seq()).isEqualTo(index.seq());
        assertThat(back.hash()).isEqualTo(HASH);
        assertThat(back.prefix().seq()).isEqualTo(index.seq());
        assertThat(back.index().openSagas()).containsExactlyInAnyOrderElementsOf(index.openSagas());
        assertThat(back.index().layers()).isEqualTo(index.layers());
        assertThat(back.index().stagings()).containsExactlyInAnyOrderElementsOf(index.stagings());
        assertThat(back.index().images().entries()).containsExactlyInAnyOrderElementsOf(index.images().entries());
        assertThat(back.index().resolve("latest").id()).isEqualTo(id("base"));
        assertThat(back.index().images().resolve("app:v1").id()).isEqualTo(ImageId.ofConfig(digest("cfg1")));
        assertThat(back.index().registry()).isEqualTo(index.registry());
        assertThat(back.index().registry().uploads()).extracting(u -> u.id()).containsExactly("u-open");
        assertThat(back.index().registry().tag("lib/app", "v1")).contains(digest("m1").toString());
        assertThat(back.index().registry().tag("lib/app", "latest")).isEmpty();
        assertThat(back.index().registry().referrers("lib/app", digest("m1").toString())).hasSize(1);
        assertThat(back.index().registry().holds(digest("c1"))).isTrue();
        assertThat(back.index().registry().holds(digest("x"))).isFalse();
    }

    @Test
    void theIndexFromASnapshotFollowedByTheTailEqualsTheFoldFromSeqOneAtEverySeq() throws Exception {
        List<Event> events = everyState();
        events.addAll(List.of(new Event.LayerCommitted(id("making"), digest("d6"), 6, null, null, null),
                new Event.LayerDeleted(id("going")),
                new Event.StagingDiscarded(staging(2), "dead"),
                new Event.StagingCleaned(staging(3)),
                new Event.ImageRolledBack(ImageId.ofConfig(digest("cfg2")), "dead"),
                new Event.ImageDeleted(ImageId.ofConfig(digest("cfg3"))),
                new Event.ImageNamesSet(ImageId.ofConfig(digest("cfg1")), List.of("app:v2")),
                new Event.LayerRolledBack(id("nothing"), "no such layer"),
                new Event.OrphanRemoved("layers/x", null)));
        LayerIndex whole = history.fold(events.toArray(Event[]::new));
        List<JournalRecord> records = history.records();
        LayerIndex at = LayerIndex.empty();
        for (JournalRecord r : records) {
            at = at.apply(r);
            LayerIndex fromSnapshot = IndexSnapshot.read(IndexSnapshot.of(at, HASH).bytes(), "test").index();
            assertThat(fromSnapshot.applyAll(records.subList((int) r.seq(), records.size())))
                    .as("snapshot at seq %d, then the tail", r.seq()).isEqualTo(whole);
        }
    }

    @Test
    void aSnapshotHoldsTheLayersInTheListingsOrderAndListsThemSoBeforeAndAfterATail() throws Exception {
        Instant together = Instant.ofEpochSecond(5000, 7);
        List<JournalRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // Made in the same instant (ties broken by id), except every fifth, made earlier but later in the journal.
            Instant t = i % 5 == 0 ? together.minusSeconds(i) : together;
            records.add(new JournalRecord(records.size() + 1, t, dev.cairn.model.Actor.process(),
                    new Event.LayerCreated(id("l" + i), null, List.of("n" + i), null, ""), HASH, HASH));
            records.add(new JournalRecord(records.size() + 1, t, dev.cairn.model.Actor.process(),
                    new Event.LayerCommitted(id("l" + i), digest("d" + i), i, null, null, null), HASH, HASH));
        }
        LayerIndex folded = LayerIndex.empty().applyAll(records);
        LayerIndex read = IndexSnapshot.read(IndexSnapshot.of(folded, HASH).bytes(), "snap").index();

        assertThat(read.layers()).hasSize(40).isEqualTo(folded.layers());
        JournalRecord tail = new JournalRecord(records.size() + 1, together, dev.cairn.model.Actor.process(),
                new Event.MetadataSet(id("l3"), "changed"), HASH, HASH);
        assertThat(read.apply(tail).layers()).isEqualTo(folded.apply(tail).layers());
    }

    @Test
    void aSnapshotOfAnOlderWriterWithItsLayersInAnyOrderIsListedInOrder() throws Exception {
        LayerIndex folded = history.fold(new Event.LayerCreated(id("a"), null, List.of("a"), null, ""),
                new Event.LayerCommitted(id("a"), digest("da"), 1, null, null, null),
                new Event.LayerCreated(id("b"), null, List.of("b"), null, ""),
                new Event.LayerCommitted(id("b"), digest("db"), 2, null, null, null));
        byte[] bytes = IndexSnapshot.of(folded, HASH).bytes();
        // Two base layers of the same shape: id, no parent, one 1-character name, created, "COMMITTED", no staging,
        // empty metadata and flags, a diff digest and size, no compressed fields, no owner, a chain id.
        int layerSize = 32 + 1 + 4 + 5 + 12 + 13 + 1 + 4 + 4 + 33 + 8 + 1 + 1 + 1 + 1 + 33;
        int first = 4 + 1 + IndexSnapshot.FORMAT.name().length() + 4 + 8 + 32 + 4;
        assertThat(java.util.HexFormat.of().formatHex(bytes, first, first + 32)).isEqualTo(id("a").hex());
        assertThat(java.util.HexFormat.of().formatHex(bytes, first + layerSize, first + layerSize + 32))
                .isEqualTo(id("b").hex());
        byte[] a = java.util.Arrays.copyOfRange(bytes, first, first + layerSize);
        System.arraycopy(bytes, first + layerSize, bytes, first, layerSize);
        System.arraycopy(a, 0, bytes, first + layerSize, layerSize);

        LayerIndex read = IndexSnapshot.read(reseal(bytes), "snap").index();

        assertThat(read).isEqualTo(folded);
        assertThat(read.layers()).extracting(dev.cairn.model.Layer::id).containsExactly(id("a"), id("b"));
    }

    @Test
    void theRepositoriesOfAnEmptyRegistryAreWrittenAndReadAsJacksonDoesThem() throws Exception {
        // snapshots written before the registry's text was read and written without Jackson hold these bytes
        ObjectMapper json = EventJson.newMapper();
        assertThat(json.writeValueAsString(RegistryTable.EMPTY.toSnapshotJson(json)))
                .isEqualTo(IndexSnapshot.EMPTY_REGISTRY);
        assertThat(RegistryTable.fromSnapshotJson(json.readTree(IndexSnapshot.EMPTY_REGISTRY), json))
                .isEqualTo(RegistryTable.EMPTY);
        LayerIndex index = history.fold(new Event.LayerCreated(id("a"), null, List.of("a"), null, ""));
        IndexSnapshot snapshot = IndexSnapshot.of(index, HASH);
        assertThat(new String(snapshot.bytes(), java.nio.charset.StandardCharsets.UTF_8))
                .contains(IndexSnapshot.EMPTY_REGISTRY);
        assertThat(IndexSnapshot.read(snapshot.bytes(), "test").index()).isEqualTo(index);
    }

    @Test
    void anEmptyIndexHasNoSnapshot() {
        assertThatThrownBy(() -> IndexSnapshot.of(LayerIndex.empty(), HASH))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIndexTheFoldCannotRebuildFromItsEntriesIsNotKeptAsASnapshot() {
        // a parent deleted under its child: only a journal Cairn never wrote does this (the store refuses it)
        LayerIndex odd = history.fold(new Event.LayerCreated(id("a"), null, List.of(), null, ""),
                new Event.LayerCommitted(id("a"), digest("a"), 1, null, null, null),
                new Event.LayerCreated(id("b"), id("a"), List.of(), null, ""),
                new Event.LayerDeleted(id("a")));
        assertThatThrownBy(() -> IndexSnapshot.of(odd, HASH)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be kept as a snapshot");
    }

    private byte[] sample() {
        return IndexSnapshot.of(history.fold(everyState().toArray(Event[]::new)), HASH).bytes();
    }

    @Test
    void aFlippedBitIsAFailedChecksum() {
        byte[] bytes = sample();
        bytes[bytes.length / 2] ^= 0x04;
        assertThatThrownBy(() -> IndexSnapshot.read(bytes, "snap"))
                .isInstanceOf(CorruptFrameException.class).hasMessageContaining("checksum failed");
    }

    @Test
    void aTruncatedSnapshotIsRefused() {
        byte[] bytes = sample();
        for (int length : new int[]{0, 3, 20, bytes.length / 2, bytes.length - 1}) {
            assertThatThrownBy(() -> IndexSnapshot.read(java.util.Arrays.copyOf(bytes, length), "snap"))
                    .as("cut to %d bytes", length).isInstanceOf(CorruptFrameException.class);
        }
    }

    @Test
    void aNewerFormatVersionIsTooNewAndADamagedOneIsCorrupt() {
        byte[] bytes = sample();
        int versionAt = 4 + 1 + IndexSnapshot.FORMAT.name().length();
        ByteBuffer.wrap(bytes).putInt(versionAt, 2);
        byte[] tooNew = reseal(bytes.clone());
        assertThatThrownBy(() -> IndexSnapshot.read(tooNew, "snap")).isInstanceOf(FormatTooNewException.class)
                .hasMessageContaining("snap");
        assertThatThrownBy(() -> IndexSnapshot.read(bytes, "snap")).isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("checksum failed");
    }

    @Test
    void aMalformedBodyUnderAGoodChecksumIsCorrupt() {
        byte[] bytes = sample();
        int bodyAt = 4 + 1 + IndexSnapshot.FORMAT.name().length() + 4;
        ByteBuffer.wrap(bytes).putInt(bodyAt + 8 + 32, 1 << 30);   // the layer count
        assertThatThrownBy(() -> IndexSnapshot.read(reseal(bytes), "snap")).isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("malformed index snapshot despite a good checksum");
        byte[] other = sample();
        ByteBuffer.wrap(other).putLong(bodyAt, 0);   // seq 0
        assertThatThrownBy(() -> IndexSnapshot.read(reseal(other), "snap")).isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("malformed");
    }

    @Test
    void anotherFilesFrameIsNotASnapshot() {
        byte[] bytes = dev.cairn.io.FrameFormat.named("cairn-tar-record", 1, 1).frame(new byte[40]);
        assertThatThrownBy(() -> IndexSnapshot.read(bytes, "snap")).isInstanceOf(CorruptFrameException.class)
                .hasMessageContaining("not a cairn-index-snapshot");
    }

    static byte[] reseal(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
        return bytes;
    }
}
