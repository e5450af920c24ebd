package dev.cairn.store;

import dev.cairn.model.CorruptArchiveException;
import dev.cairn.model.Digest;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.Layer;
import dev.cairn.model.LayerHasChildrenException;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNotFoundException;
import dev.cairn.model.NameInUseException;
import dev.cairn.model.StagingId;
import dev.cairn.model.StagingNotFoundException;
import dev.cairn.model.StoreClosedException;
import dev.cairn.model.UnsafeArchiveException;
import dev.cairn.model.internal.FaultPoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerStoreTest {

    @TempDir
    Path root;
    private LayerStore store;

    @BeforeEach
    void open() throws IOException {
        store = LayerStore.open(root);
    }

    @AfterEach
    void close() throws IOException {
        FaultPoints.install(null);
        store.close();
    }

    private static InputStream in(byte[] b) {
        return new ByteArrayInputStream(b);
    }

    private static Digest diffIdOf(byte[] gzipTar) throws IOException {
        try (InputStream gz = new GZIPInputStream(in(gzipTar))) {
            return Digest.sha256(gz.readAllBytes());
        }
    }

    private Layer put(long seed, LayerSpec spec) throws IOException {
        return store.put(in(TestTars.layer(seed, 5)), spec).layer();
    }

    /** Makes the writer that reaches {@code point} say so on {@code inside} and wait for {@code release}. */
    private static void pauseAt(String point, CountDownLatch inside, CountDownLatch release) {
        FaultPoints.install(p -> {
            if (p.equals(point)) {
                inside.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    // --- diff

    private static byte[] gunzip(byte[] gzipTar) throws IOException {
        try (InputStream gz = new GZIPInputStream(in(gzipTar))) {
            return gz.readAllBytes();
        }
    }

    private byte[] diff(String idOrName) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long n = store.diff(idOrName, out);
        assertThat(n).isEqualTo(out.size());
        return out.toByteArray();
    }

    @Test
    void diffReturnsTheOriginalTarByteForByteWhoseDigestIsTheDiffId() throws IOException {
        byte[] tar = TestTars.layer(3, 20);
        Layer l = store.put(in(tar), LayerSpec.base().withName("base")).layer();

        byte[] diff = diff("base");

        assertThat(diff).isEqualTo(gunzip(tar));
        assertThat(Digest.sha256(diff)).isEqualTo(l.diffDigest());
    }

    @Test
    void diffWorksAfterStageAndApplyInAnotherOpenAndForAnEmptyLayer() throws IOException {
        byte[] tar = TestTars.layer(4, 5);
        StagedLayer staged = store.stage(in(tar));
        store.close();
        store = LayerStore.open(root);
        Layer l = store.applyStaged(staged.id(), LayerSpec.base()).layer();
        store.cleanupStaged(staged.id());
        Layer empty = store.create(LayerSpec.base().withName("empty")).layer();

        assertThat(diff(l.id().hex())).isEqualTo(gunzip(tar));
        assertThat(diff("empty")).isEqualTo(new byte[1024]);
        assertThat(Digest.sha256(diff(empty.id().hex()))).isEqualTo(empty.diffDigest());
    }

    @Test
    void diffDoesNotFollowASymlinkPlantedInTheLayerAndVerifyDeepReportsIt() throws IOException {
        Layer l = store.put(in(TestTars.layer(5, 3)), LayerSpec.base()).layer();
        Path contents = store.contentsOf(l.id().hex());
        Path victim;
        try (var files = Files.walk(contents)) {
            victim = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        Path outside = Files.writeString(root.resolveSibling(root.getFileName() + "-outside"),
                Files.readString(victim, StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1);
        Files.delete(victim);
        Files.createSymbolicLink(victim, outside);
        String rel = contents.relativize(victim).toString();

        assertThatThrownBy(() -> diff(l.id().hex())).isInstanceOf(dev.cairn.archive.CorruptLayerException.class)
                .hasMessageContaining(l.id().hex()).hasMessageContaining(rel).hasMessageContaining("symlink");
        assertThat(store.verify(true).problems()).anyMatch(p -> p.contains(rel) && p.contains("symlink"));
        Files.delete(outside);
    }

    @Test
    void verifyDeepReportsATruncatedManifestAndGoesOnToTheNextLayer() throws IOException {
        Layer damaged = store.put(in(TestTars.layer(6, 3)), LayerSpec.base()).layer();
        Layer sound = store.put(in(TestTars.layer(7, 3)), LayerSpec.base()).layer();
        Path manifest = root.resolve("layers").resolve(damaged.id().hex()).resolve("manifest");
        try (FileChannel ch = FileChannel.open(manifest, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2); // what a power cut leaves of a manifest that was never fsynced
        }
        Path soundFile;
        try (var files = Files.walk(store.contentsOf(sound.id().hex()))) {
            soundFile = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        Files.writeString(soundFile, "changed");

        StoreVerifyReport report = store.verify(true);

        assertThat(report.problems()).anyMatch(p -> p.contains(damaged.id().hex()) && p.contains("manifest"))
                .anyMatch(p -> p.contains(sound.id().hex()));
    }

    @Test
    void verifyDeepCountsAChangedFileOnceInPlainWords() throws IOException {
        Layer l = store.put(in(TestTars.layer(8, 3)), LayerSpec.base()).layer();
        Path file;
        try (var files = Files.walk(store.contentsOf(l.id().hex()))) {
            file = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        String rel = store.contentsOf(l.id().hex()).relativize(file).toString();
        Files.write(file, new byte[(int) Files.size(file)]); // same size, other bytes

        StoreVerifyReport report = store.verify(true);

        assertThat(report.problems()).singleElement().asString()
                .startsWith("layer " + l.id() + ": " + rel + " is changed (its contents no longer match): content "
                        + Digest.sha256(Files.readAllBytes(file)) + ", recorded sha256:")
                .doesNotContain("Problem[", "kind=");
    }

    @Test
    void aBaseLayerGetsItsDiffIdAsIdAndItsDigests() throws IOException {
        byte[] tar = TestTars.layer(1, 20);

        AppliedLayer applied = store.put(in(tar), LayerSpec.base().withName("base"));

        Layer l = applied.layer();
        assertThat(applied.duplicate()).isFalse();
        assertThat(l.diffDigest()).isEqualTo(diffIdOf(tar));
        assertThat(l.id().hex()).isEqualTo(l.diffDigest().hex());
        assertThat(l.compressedDigest()).contains(Digest.sha256(tar));
        assertThat(l.compressedSize()).contains((long) tar.length);
        assertThat(l.parent()).isEmpty();
        assertThat(l.names()).containsExactly("base");
        assertThat(store.layer("base")).isEqualTo(l);
        assertThat(store.layer(l.id().hex())).isEqualTo(l);
        assertThat(store.layersByDiffDigest(l.diffDigest())).containsExactly(l);
        assertThat(store.layersByCompressedDigest(Digest.sha256(tar))).containsExactly(l);
        assertThat(Files.list(store.contentsOf("base").resolve("dir-1")).count()).isEqualTo(20);
        assertThat(store.staged()).as("put cleans up its staging").isEmpty();
        assertThat(StoreInvariants.list(root.resolve("staging"))).isEmpty();
    }

    @Test
    void aChildGetsTheIdContainersImageGivesItAndKeepsItsOciChainIdAsChainId() throws IOException {
        Layer base = put(1, LayerSpec.base());
        byte[] tar = TestTars.layer(2, 3);

        Layer child = store.put(in(tar), LayerSpec.on(base.id().hex())).layer();

        String storageId = base.id().hex() + "+" + diffIdOf(tar).hex();
        assertThat(child.id().hex()).isEqualTo(Digest.sha256(storageId.getBytes(StandardCharsets.US_ASCII)).hex());
        String chain = "sha256:" + base.id().hex() + " " + diffIdOf(tar);
        assertThat(child.chainId()).isEqualTo(Digest.sha256(chain.getBytes(StandardCharsets.US_ASCII)));
        assertThat(base.chainId()).as("a base layer's chain id is its DiffID").isEqualTo(base.diffDigest());
        assertThat(child.parent()).contains(base.id());
        assertThat(store.children(base.id().hex())).containsExactly(child);
    }

    @Test
    void aLayerIsFoundByItsChainIdTooWithOrWithoutTheAlgorithm() throws IOException {
        Layer base = put(1, LayerSpec.base());
        Layer child = store.put(in(TestTars.layer(2, 3)), LayerSpec.on(base.id().hex())).layer();

        assertThat(store.layer(child.chainId().toString())).isEqualTo(child);
        assertThat(store.layer(child.chainId().hex())).isEqualTo(child);
        assertThat(store.findLayer(Digest.sha256(new byte[] {1}).toString())).isEmpty();
    }

    @Test
    void applyingUnderAnExistingIdReturnsTheExistingLayerWithTheNewNamesAddedAndLeavesTheStaging()
            throws IOException {
        Layer first = put(1, LayerSpec.base().withName("a"));
        StagedLayer again = store.stage(in(TestTars.layer(1, 5)));

        AppliedLayer applied = store.applyStaged(again.id(), LayerSpec.base().withName("a").withName("b"));

        assertThat(applied.duplicate()).isTrue();
        assertThat(applied.addedNames()).containsExactly("b");
        assertThat(applied.layer().id()).isEqualTo(first.id());
        assertThat(applied.layer().names()).containsExactly("a", "b");
        assertThat(store.layer("b")).isEqualTo(applied.layer());
        assertThat(store.staged()).extracting(StagedLayer::id).containsExactly(again.id());
        store.cleanupStaged(again.id());
        assertThat(store.staged()).isEmpty();
    }

    @Test
    void aDuplicateWhoseNameBelongsToAnotherLayerIsRefusedAndChangesNothing() throws IOException {
        Layer first = put(1, LayerSpec.base().withName("a"));
        put(2, LayerSpec.base().withName("taken"));
        long seq = store.lastSeq();

        assertThatThrownBy(() -> store.put(in(TestTars.layer(1, 5)), LayerSpec.base().withName("taken")))
                .isInstanceOf(NameInUseException.class).hasMessageContaining("taken");

        assertThat(store.layer(first.id().hex()).names()).containsExactly("a");
        assertThat(store.staged()).isEmpty();
        try (var records = store.history(seq + 1)) {
            // "taken" is on a base layer, as the tarball might have turned out to be: only apply can tell
            assertThat(records.map(r -> r.event().type())).as("staged, refused at apply, cleaned up")
                    .containsExactly("StagingStarted", "DiffStaged", "StagingCleaned");
        }
    }

    @Test
    void putRefusesAMissingParentOrANameInUseBeforeStagingAnything() throws IOException {
        put(1, LayerSpec.base().withName("taken"));
        long seq = store.lastSeq();

        assertThatThrownBy(() -> store.put(in(TestTars.layer(2, 5)), LayerSpec.on("nope")))
                .isInstanceOf(LayerNotFoundException.class);
        assertThatThrownBy(() -> store.put(in(TestTars.layer(2, 5)), LayerSpec.on("taken").withName("taken")))
                .isInstanceOf(NameInUseException.class);

        assertThat(store.lastSeq()).isEqualTo(seq);
        assertThat(StoreInvariants.list(root.resolve("staging"))).isEmpty();
    }

    @Test
    void anEmptyInputIsRefusedWithTheStoreExactlyAsBefore() throws IOException {
        put(1, LayerSpec.base().withName("a"));
        long seq = store.lastSeq();

        assertThatThrownBy(() -> store.put(in(new byte[0]), LayerSpec.base()))
                .isInstanceOf(CorruptArchiveException.class).hasMessageContaining("empty (0 bytes");
        assertThatThrownBy(() -> store.stage(in(new byte[0]))).isInstanceOf(CorruptArchiveException.class);

        assertThat(store.lastSeq()).as("nothing journaled").isEqualTo(seq);
        assertThat(StoreInvariants.list(root.resolve("staging"))).isEmpty();
        assertThat(store.layers()).hasSize(1);
    }

    @Test
    void aPaxPathWithANulByteIsRefusedAndLeavesNothing() throws IOException {
        byte[] tar = TestTars.withPaxPath("visible\0hidden");

        assertThatThrownBy(() -> store.put(in(tar), LayerSpec.base()))
                .isInstanceOf(CorruptArchiveException.class).hasMessageContaining("NUL byte");

        assertThat(store.layers()).isEmpty();
        assertThat(store.staged()).isEmpty();
        StoreInvariants.check(store);
    }

    @Test
    void stagingOutcomesAreDistinctTypes() throws Exception {
        StagedLayer staged = store.stage(in(TestTars.layer(3, 2)));
        Layer l = store.applyStaged(staged.id(), LayerSpec.base()).layer();

        assertThatThrownBy(() -> store.applyStaged(staged.id(), LayerSpec.base()))
                .isInstanceOf(dev.cairn.model.StagingAppliedException.class)
                .satisfies(x -> assertThat(((dev.cairn.model.StagingAppliedException) x).layer()).isEqualTo(l.id()));
        store.cleanupStaged(staged.id());
        assertThatThrownBy(() -> store.applyStaged(staged.id(), LayerSpec.base()))
                .isInstanceOf(StagingNotFoundException.class);

        java.io.PipedOutputStream feed = new java.io.PipedOutputStream();
        java.io.PipedInputStream slow = new java.io.PipedInputStream(feed, 1 << 16);
        byte[] tar = TestTars.layer(4, 40);
        feed.write(tar, 0, 2048);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<StagedLayer> stager = pool.submit(() -> store.stage(slow));
            StagingId inProgress = null;
            while (inProgress == null) {
                inProgress = store.liveIndex().stagings().stream()
                        .filter(s -> s.state() == dev.cairn.projection.StagingState.STARTED)
                        .map(s -> s.id()).findFirst().orElse(null);
                Thread.sleep(5);
            }
            StagingId busy = inProgress;
            assertThatThrownBy(() -> store.applyStaged(busy, LayerSpec.base()))
                    .isInstanceOf(dev.cairn.model.StagingInProgressException.class);
            assertThatThrownBy(() -> store.cleanupStaged(busy))
                    .isInstanceOf(dev.cairn.model.StagingInProgressException.class);
            feed.write(tar, 2048, tar.length - 2048);
            feed.close();
            assertThat(stager.get(30, TimeUnit.SECONDS).id()).isEqualTo(busy);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNameInUseChangesNothing() throws IOException {
        put(1, LayerSpec.base().withName("taken"));
        long seq = store.lastSeq();
        StagedLayer staged = store.stage(in(TestTars.layer(2, 1)));
        long afterStage = store.lastSeq();

        assertThatThrownBy(() -> store.applyStaged(staged.id(), LayerSpec.base().withName("taken")))
                .isInstanceOf(NameInUseException.class).hasMessageContaining("taken");

        assertThat(store.layers()).hasSize(1);
        assertThat(store.lastSeq()).isEqualTo(afterStage).isGreaterThan(seq);
        assertThat(store.staged()).hasSize(1);
    }

    @Test
    void aLayerWithChildrenCannotBeDeletedByIdOrByName() throws IOException {
        Layer base = put(1, LayerSpec.base().withName("base"));
        put(2, LayerSpec.on("base"));

        assertThatThrownBy(() -> store.delete("base")).isInstanceOf(LayerHasChildrenException.class)
                .hasMessageContaining(base.id().hex());
        assertThatThrownBy(() -> store.delete(base.id().hex())).isInstanceOf(LayerHasChildrenException.class);
        assertThat(store.layers()).hasSize(2);
    }

    @Test
    void deleteRemovesTheLayerAndItsFiles() throws IOException {
        Layer base = put(1, LayerSpec.base().withName("base"));

        store.delete("base");

        assertThat(store.findLayer("base")).isEmpty();
        assertThat(store.findLayer(base.id().hex())).isEmpty();
        assertThat(StoreInvariants.list(root.resolve("layers"))).isEmpty();
        assertThatThrownBy(() -> store.delete("base")).isInstanceOf(LayerNotFoundException.class)
                .hasMessage("layer not known: base");
    }

    @Test
    void aCorruptArchiveLeavesNothing() throws IOException {
        byte[] tar = TestTars.layer(1, 50);
        byte[] truncated = java.util.Arrays.copyOf(tar, tar.length / 2);

        assertThatThrownBy(() -> store.put(in(truncated), LayerSpec.base()))
                .isInstanceOf(CorruptArchiveException.class);
        assertThatThrownBy(() -> store.put(in("not a tar at all, just text".getBytes(StandardCharsets.UTF_8)),
                LayerSpec.base())).isInstanceOf(CorruptArchiveException.class);

        assertThat(store.layers()).isEmpty();
        assertThat(store.staged()).isEmpty();
        assertThat(StoreInvariants.list(root.resolve("staging"))).isEmpty();
        assertThat(StoreInvariants.list(root.resolve("layers"))).isEmpty();
        StoreInvariants.check(store);
    }

    @Test
    void anUnsafeArchiveIsRefusedWithNothingLeftAndNothingEscaped() throws IOException {
        assertThatThrownBy(() -> store.put(in(TestTars.escaping()), LayerSpec.base()))
                .isInstanceOf(UnsafeArchiveException.class).hasMessageContaining("escaped.txt");

        assertThat(store.layers()).isEmpty();
        assertThat(StoreInvariants.list(root.resolve("staging"))).isEmpty();
        // The store's own tree and the folder around it; not a walk of all of /tmp, which other processes change.
        try (var files = Files.walk(root)) {
            assertThat(files.filter(p -> p.getFileName().toString().equals("escaped.txt"))).isEmpty();
        }
        assertThat(root.getParent().resolve("escaped.txt")).doesNotExist();
    }

    @Test
    void aStagingSurvivesItsProcessAndIsAppliedByTheNext() throws IOException {
        StagedLayer staged = store.stage(in(TestTars.layer(3, 4)));
        store.close();

        store = LayerStore.open(root);
        assertThat(store.staged()).extracting(StagedLayer::id).containsExactly(staged.id());
        Layer l = store.applyStaged(staged.id(), LayerSpec.base()).layer();
        store.cleanupStaged(staged.id());

        assertThat(l.diffDigest()).isEqualTo(staged.diffDigest());
        assertThatThrownBy(() -> store.applyStaged(staged.id(), LayerSpec.base()))
                .isInstanceOf(StagingNotFoundException.class).hasMessageContaining(staged.id().hex());
        StoreInvariants.check(store);
    }

    @Test
    void anExpectedDiffIdThatDoesNotMatchIsRefused() throws IOException {
        StagedLayer staged = store.stage(in(TestTars.layer(3, 4)));
        Digest wrong = Digest.sha256(new byte[]{9});

        assertThatThrownBy(() -> store.applyStaged(staged.id(), LayerSpec.base().expectingDiffId(wrong)))
                .isInstanceOf(DigestMismatchException.class).hasMessageContaining(wrong.toString());
        assertThat(store.layers()).isEmpty();
    }

    @Test
    void anEmptyLayerHasTheDiffIdOfAnEmptyTar() throws IOException {
        Layer base = put(1, LayerSpec.base());

        Layer empty = store.create(LayerSpec.on(base.id().hex()).withName("scratch")).layer();

        assertThat(empty.diffDigest()).isEqualTo(Digest.sha256(new byte[1024]));
        assertThat(empty.diffSize()).isEqualTo(1024);
        assertThat(empty.compressedDigest()).isEmpty();
        assertThat(empty.parent()).contains(base.id());
        LayerId explicit = LayerId.of("a".repeat(64));
        assertThat(store.create(LayerSpec.base().withId(explicit)).layer().id()).isEqualTo(explicit);
        assertThat(store.create(LayerSpec.base().withId(explicit)).duplicate()).isTrue();
        StoreInvariants.check(store);
    }

    @Test
    void unknownParentsStagingsAndLayersAreDistinctErrors() throws IOException {
        StagedLayer staged = store.stage(in(TestTars.layer(3, 1)));

        assertThatThrownBy(() -> store.applyStaged(staged.id(), LayerSpec.on("nope")))
                .isInstanceOf(LayerNotFoundException.class).hasMessage("layer not known: nope");
        assertThatThrownBy(() -> store.applyStaged(dev.cairn.model.StagingId.random(), LayerSpec.base()))
                .isInstanceOf(StagingNotFoundException.class);
        assertThatThrownBy(() -> store.layer("nope")).isInstanceOf(LayerNotFoundException.class);
        assertThatThrownBy(() -> LayerSpec.base().withName("bad\nname")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesMetadataAndFlagsChange() throws IOException {
        put(1, LayerSpec.base().withName("a"));
        put(2, LayerSpec.base().withName("b"));

        store.addNames("a", List.of("x", "y"));
        store.removeNames("a", List.of("x"));
        store.setMetadata("a", "hello");
        Layer a = store.setFlag("a", "pinned", true);

        assertThat(a.names()).containsExactly("a", "y");
        assertThat(a.metadata()).isEqualTo("hello");
        assertThat(a.flags()).containsEntry("pinned", true);
        assertThatThrownBy(() -> store.addNames("y", List.of("b"))).isInstanceOf(NameInUseException.class);
        store.close();
        store = LayerStore.open(root);
        assertThat(store.layer("y")).isEqualTo(a);
    }

    @Test
    void theLiveIndexEqualsTheFoldFromSeqOneAndEarlierStatesCanBeReplayed() throws IOException {
        Layer a = put(1, LayerSpec.base().withName("a"));
        long afterA = store.lastSeq();
        put(2, LayerSpec.on("a").withName("b"));
        store.delete("b");
        store.setNames("a", List.of("renamed"));

        StoreInvariants.check(store);
        assertThat(store.layersAsOf(afterA)).extracting(Layer::names).containsExactly(List.of("a"));
        assertThat(store.layersAsOf(0)).isEmpty();
        assertThat(store.layers()).extracting(Layer::id).containsExactly(a.id());
        assertThatThrownBy(() -> store.layersAsOf(store.lastSeq() + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void historyTellsWhatHappenedInOrder() throws IOException {
        put(1, LayerSpec.base());

        try (var records = store.history(1)) {
            assertThat(records.map(r -> r.event().type())).containsExactly("StagingStarted", "DiffStaged",
                    "LayerCreated", "LayerCommitted", "StagingCleaned");
        }
    }

    @Test
    void readersDoNotWaitForAWriterInsideItsCriticalSection() throws Exception {
        put(1, LayerSpec.base().withName("a"));
        StagedLayer staged = store.stage(in(TestTars.layer(2, 3)));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pauseAt(FaultPoints.LAYER_MOVED, inside, release);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<AppliedLayer> writer = pool.submit(() -> store.applyStaged(staged.id(), LayerSpec.base()));
            assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();

            // The writer waits for this thread's release: a reader that waited for the writer would deadlock
            // until the writer's wait ran out and then see two layers.
            List<Layer> seen = store.layers();
            Optional<Layer> a = store.findLayer("a");

            assertThat(seen).as("answered while the writer is inside; its layer not visible yet").hasSize(1);
            assertThat(a).isPresent();
            release.countDown();
            assertThat(writer.get(30, TimeUnit.SECONDS).duplicate()).isFalse();
            assertThat(store.layers()).hasSize(2);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void stagingsRunInParallel() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<AppliedLayer>> puts = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long seed = 100 + i;
                puts.add(pool.submit(() -> store.put(in(TestTars.layer(seed, 30)), LayerSpec.base())));
            }
            for (Future<AppliedLayer> f : puts) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.layers()).hasSize(8);
        StoreInvariants.check(store);
    }

    @Test
    void aWriterThatCannotGetTheLockInTimeGetsAClearErrorAndChangesNothing() throws Exception {
        StagedLayer staged = store.stage(in(TestTars.layer(2, 3)));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pauseAt(FaultPoints.LAYER_CREATED, inside, release); // inside the writers' lock
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (LayerStore other = LayerStore.open(root,
                StoreOptions.defaults().withLockTimeout(java.time.Duration.ofMillis(200)))) {
            Future<AppliedLayer> writer = pool.submit(() -> store.applyStaged(staged.id(), LayerSpec.base()));
            assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
            long seq = other.lastSeq();

            assertThatThrownBy(() -> other.create(LayerSpec.base().withName("late")))
                    .isInstanceOf(dev.cairn.model.StoreLockedException.class)
                    .hasMessageContaining("store.lock");

            assertThat(other.lastSeq()).isEqualTo(seq);
            release.countDown();
            writer.get(30, TimeUnit.SECONDS);
            assertThat(other.layers()).as("a second store in the same process sees the first one's layer")
                    .hasSize(1);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aReadOnlyStoreRefusesChanges() throws IOException {
        put(1, LayerSpec.base().withName("a"));
        try (LayerStore reader = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
            assertThat(reader.layer("a").names()).containsExactly("a");
            assertThatThrownBy(() -> reader.delete("a")).isInstanceOf(dev.cairn.model.ReadOnlyStoreException.class);
            assertThatThrownBy(() -> reader.stage(in(TestTars.layer(2, 1))))
                    .isInstanceOf(dev.cairn.model.ReadOnlyStoreException.class);
        }
        assertThat(store.layers()).hasSize(1);
    }

    @Test
    void aClosedStoreSaysSo() throws IOException {
        store.close();

        assertThatThrownBy(() -> store.layers()).isInstanceOf(StoreClosedException.class)
                .hasMessageContaining(root.toString());
    }
}
