package dev.cairn.store;

import dev.cairn.model.internal.FaultPoints;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/**
 * The writer that crash tests kill: a separate JVM that works on a store and says on stdout what returned to it.
 * {@code CrashChild ROOT SCENARIO [SEED]}. Lines: {@code READY} once the store is open, {@code ACK <id>} after each put
 * (or image import, of {@code -Dcairn.test.image=REFERENCE}) returned,
 * {@code DELETING <id>} before a delete and {@code DELETED <id>} after it returned, {@code STAGED <sid>} after a
 * stage returned, {@code KEY <verifier key>} for the checkpoint key it loaded (scenario {@code key}). With {@code -Dcairn.test.pauseAt=POINT -Dcairn.test.pauseMs=N} it prints {@code PAUSED POINT}
 * and sleeps N ms at that fault point (with {@code -Dcairn.test.pauseUntil=FILE}: until FILE exists); with
 * {@code -Dcairn.test.startAt=FILE} it waits for FILE before it opens the store, so that children race from one
 * instant. {@code FAILED <exception>} is its last line if it fails.
 */
public final class CrashChild {

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (Exception | Error e) {
            say("FAILED " + String.valueOf(e).replace('\n', ' '));
            throw e;
        }
    }

    private static void run(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String scenario = args[1];
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        long pauseMs = Long.getLong("cairn.test.pauseMs", 0);
        String pauseAt = System.getProperty("cairn.test.pauseAt");
        String pauseUntil = System.getProperty("cairn.test.pauseUntil");
        if (pauseAt != null) {
            // Inside a critical section: the writers' lock is held while this sleeps.
            FaultPoints.install(point -> {
                if (point.equals(pauseAt)) {
                    say("PAUSED " + point);
                    waitFor(pauseUntil, pauseMs);
                }
            });
        }
        // Children started together wait here for one signal, so that they race from the same instant.
        waitFor(System.getProperty("cairn.test.startAt"), 0);
        if (scenario.equals("poll-read-only")) {
            pollReadOnly(root, seed);
            return;
        }
        // Index snapshots far more often than by default: a child killed at random is often killed writing one, and
        // the next open starts from one (the parent's invariants check each against the fold from seq 1).
        StoreOptions options = StoreOptions.defaults().withSnapshots(SnapshotPolicy.DEFAULT.withEveryRecords(10)
                .withEvery(java.time.Duration.ofMillis(200)).withOnCloseRecords(1));
        try (LayerStore store = LayerStore.open(root, options)) {
            System.out.println("READY");
            System.out.flush();
            switch (scenario) {
                case "open" -> { }
                case "key" -> say("KEY " + new dev.cairn.store.internal.StoreLayout(root).checkpointKey().verifier());
                case "names" -> {
                    var l = store.create(LayerSpec.base().withName("first")).layer();
                    store.setNames(l.id().hex(), java.util.List.of("renamed"));
                }
                case "put-one" -> ack(store.put(new ByteArrayInputStream(TestTars.layer(seed, 20)), LayerSpec.base()
                        .withName("n" + seed)).layer().id().hex());
                case "stage-stdin-then-apply" -> {
                    StagedLayer s = store.stage(System.in);
                    say("STAGED " + s.id());
                    ack(store.applyStaged(s.id(), LayerSpec.base().withName("slow")).layer().id().hex());
                }
                case "stage" -> store.stage(new ByteArrayInputStream(TestTars.layer(seed, 20)));
                case "stage-stdin" -> say("STAGED " + store.stage(System.in).id());
                case "apply" -> {
                    StagedLayer s = store.stage(new ByteArrayInputStream(TestTars.layer(seed, 20)));
                    System.out.println("STAGED " + s.id());
                    System.out.flush();
                    store.applyStaged(s.id(), LayerSpec.base());
                }
                case "create" -> store.create(LayerSpec.base());
                case "registry-push" -> say("ACK " + RepositoriesTest.pushBlobAndManifest(store, seed));
                case "import-image" -> say("ACK " + importImage(store).image().id());
                case "import-then-delete-image" -> {
                    String id = importImage(store).image().id().hex();
                    say("ACK " + id);
                    say("DELETING " + id);
                    store.deleteImage(id);
                    say("DELETED " + id);
                }
                case "put-then-delete" -> {
                    var l = store.put(new ByteArrayInputStream(TestTars.layer(seed, 20)), LayerSpec.base()).layer();
                    ack(l.id().hex());
                    store.delete(l.id().hex());
                }
                case "loop" -> {
                    for (long i = seed; ; i++) {
                        var l = store.put(new ByteArrayInputStream(TestTars.layer(i, 40)), LayerSpec.base()
                                .withName("n" + i)).layer();
                        ack(l.id().hex());
                        if (i % 3 == 0) {
                            System.out.println("DELETING " + l.id().hex());
                            System.out.flush();
                            store.delete(l.id().hex());
                            System.out.println("DELETED " + l.id().hex());
                            System.out.flush();
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            }
        }
        System.out.println("DONE");
    }

    /** Imports the image {@code -Dcairn.test.image=REFERENCE} names, as {@code app:v1}. */
    private static ImportedImage importImage(LayerStore store) throws java.io.IOException {
        return store.importImage(dev.cairn.oci.ImageReference.parse(System.getProperty("cairn.test.image")),
                dev.cairn.oci.Platform.of("linux", "amd64", null), ImageSpec.unnamed().withName("app:v1"), n -> { });
    }

    /** Sleeps until {@code file} exists (at most two minutes), or for {@code ms} when no file is named. */
    private static void waitFor(String file, long ms) {
        try {
            if (file == null) {
                Thread.sleep(ms);
                return;
            }
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
            while (!java.nio.file.Files.exists(Path.of(file)) && System.nanoTime() < until) {
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * For {@code SEED} ms opens the store read-only again and again, saying {@code NONE} when there is no store yet,
     * {@code SAW <layers>} when it opened one, and {@code ERROR <exception>} for anything else.
     */
    private static void pollReadOnly(Path root, long ms) {
        long until = System.nanoTime() + ms * 1_000_000L;
        while (System.nanoTime() < until) {
            try (LayerStore store = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
                say("SAW " + store.layers().size());
            } catch (dev.cairn.model.StoreNotFoundException e) {
                say("NONE");
            } catch (Exception e) {
                say("ERROR " + String.valueOf(e).replace('\n', ' '));
            }
        }
        say("DONE");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void ack(String id) {
        System.out.println("ACK " + id);
        System.out.flush();
    }
}
