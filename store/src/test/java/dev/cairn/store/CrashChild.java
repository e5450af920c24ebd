package dev.cairn.store;

import dev.cairn.model.internal.FaultPoints;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/**
 * The writer that crash tests kill: a separate JVM that works on a store and says on stdout what returned to it.
 * {@code CrashChild ROOT SCENARIO [SEED]}. Lines: {@code READY} once the store is open, {@code ACK <layer id>} after each put returned,
 * {@code DELETING <id>} before a delete and {@code DELETED <id>} after it returned, {@code STAGED <sid>} after a
 * stage returned. With {@code -Dcairn.test.pauseAt=POINT -Dcairn.test.pauseMs=N} it prints {@code PAUSED POINT}
 * and sleeps N ms at that fault point (inside the critical section, holding the writers' lock).
 */
public final class CrashChild {

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String scenario = args[1];
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        long pauseMs = Long.getLong("cairn.test.pauseMs", 0);
        String pauseAt = System.getProperty("cairn.test.pauseAt");
        if (pauseAt != null) {
            // Inside a critical section: the writers' lock is held while this sleeps.
            FaultPoints.install(point -> {
                if (point.equals(pauseAt)) {
                    say("PAUSED " + point);
                    try {
                        Thread.sleep(pauseMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
        }
        try (LayerStore store = LayerStore.open(root)) {
            System.out.println("READY");
            System.out.flush();
            switch (scenario) {
                case "open" -> { }
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
                case "apply" -> {
                    StagedLayer s = store.stage(new ByteArrayInputStream(TestTars.layer(seed, 20)));
                    System.out.println("STAGED " + s.id());
                    System.out.flush();
                    store.applyStaged(s.id(), LayerSpec.base());
                }
                case "create" -> store.create(LayerSpec.base());
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

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void ack(String id) {
        System.out.println("ACK " + id);
        System.out.flush();
    }
}
