package dev.cairn.torture;

import dev.cairn.model.CairnException;
import dev.cairn.model.Layer;
import dev.cairn.model.StagingId;
import dev.cairn.store.LayerSpec;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StagedLayer;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.TestTars;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The process the torture run kills: {@code TortureChild ROOT ROUND SEED THREADS [SYNC]}. It opens the
 * store (running recovery), prints {@code READY}, shares the layers and finished stagings it finds among
 * {@code THREADS} threads (by hash, so each is worked on by one thread only) and lets every thread run a random mix
 * of stage, apply, cleanup, put, create, delete and name changes until the process is killed. SYNC is how
 * extracted layers are made durable: {@code syncfs} (the default: one syncfs per layer, an fsync per file for a layer
 * of fewer than {@code ExtractOptions.SYNCFS_MIN_FILES} files, which the torture's layers are), {@code syncfs-always}
 * (the one syncfs for every layer, however small), {@code fsync-each-file}, or {@code unsafe-no-sync} — never: the
 * planted bug the power-cut test must catch.
 *
 * <p>Protocol on stdout, one line per event, each line written whole and flushed before the thread goes on:
 * <pre>
 * B t OP ARGS     thread t is about to call OP (put NAME PARENT|-, create NAME, stage, apply SID NAME,
 *                 cleanup SID, delete ID, names ID N1,N2)
 * A t OP RESULT   the call returned (put ID NAME, create ID NAME, stage SID, apply SID ID NAME, cleanup SID,
 *                 delete ID, names ID N1,N2): from here on it must be durable
 * F t OP ERROR    the call was refused with an expected error (a CairnException): nothing changed
 * E t OP ERROR    anything else: a bug, reported by the parent as a violation
 * </pre>
 * Names and tar contents are unique per (round, thread, counter), so no two calls ever race for the same name or id.
 */
public final class TortureChild {

    private static final PrintStream OUT = System.out;
    /** Per thread; above it a thread favours delete (a refused delete of a parent keeps the layer). */
    private static final int MAX_LAYERS = 40;
    private static final int MAX_STAGED = 12;

    private TortureChild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 4 && args[4].equals("syncfs-always")) {
            System.setProperty("cairn.syncfsMinFiles", "1"); // read once, when the extractor's defaults are made
        }
        // The parent never writes to our stdin; it closes when the parent dies, and then so must we, or a child
        // whose parent was stopped would work on forever.
        Thread orphanGuard = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    continue;
                }
            } catch (java.io.IOException ignored) {
                // a broken pipe is the same news
            }
            Runtime.getRuntime().halt(3);
        }, "orphan-guard");
        orphanGuard.setDaemon(true);
        orphanGuard.start();
        Path root = Path.of(args[0]);
        long round = Long.parseLong(args[1]);
        long seed = Long.parseLong(args[2]);
        int threads = Integer.parseInt(args[3]);
        String sync = args.length > 4 ? args[4] : "syncfs";
        StoreOptions options = switch (sync) {
            case "syncfs", "syncfs-always" -> StoreOptions.defaults();
            case "fsync-each-file" -> StoreOptions.defaults().withSyncfs(false);
            case "unsafe-no-sync" -> StoreOptions.defaults().withUnsafeNoSync(true);
            default -> throw new IllegalArgumentException("unknown SYNC " + sync);
        };
        LayerStore store = LayerStore.open(root, options);
        List<List<String>> layers = new ArrayList<>();
        List<List<String>> staged = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            layers.add(new ArrayList<>());
            staged.add(new ArrayList<>());
        }
        for (Layer l : store.layers()) {
            layers.get(Math.floorMod(l.id().hex().hashCode(), threads)).add(l.id().hex());
        }
        for (StagedLayer s : store.staged()) {
            staged.get(Math.floorMod(s.id().hex().hashCode(), threads)).add(s.id().hex());
        }
        say("READY");
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(store, t, round, new Random(seed * 31 + t), layers.get(t), staged.get(t));
            Thread th = new Thread(w, "torture-" + t);
            th.start();
            workers.add(th);
        }
        for (Thread th : workers) {
            th.join();
        }
    }

    private static void say(String line) {
        synchronized (OUT) {
            OUT.println(line);
            OUT.flush();
        }
    }

    /** One thread's loop; it owns its lists. */
    private static final class Worker implements Runnable {
        private final LayerStore store;
        private final int t;
        private final long round;
        private final Random random;
        private final List<String> layers;
        private final List<String> staged;
        private final List<String> applied = new ArrayList<>();
        private long counter;
        private long tars;

        Worker(LayerStore store, int t, long round, Random random, List<String> layers, List<String> staged) {
            this.store = store;
            this.t = t;
            this.round = round;
            this.random = random;
            this.layers = layers;
            this.staged = staged;
        }

        @Override
        public void run() {
            while (true) {
                // A thread holding many layers (or stagings) mostly deletes (or cleans up) until it is back under
                // its share: the store stays about the same size however long the run, so every check, which
                // rehashes every layer, costs the same at the thousandth kill as at the first.
                int dice = layers.size() > MAX_LAYERS && random.nextBoolean() ? 60
                        : staged.size() > MAX_STAGED && random.nextBoolean() ? 50
                        : random.nextInt(100);
                String op = "?";
                try {
                    if (dice < 20) {
                        op = "put";
                        put();
                    } else if (dice < 25) {
                        op = "create";
                        create();
                    } else if (dice < 40) {
                        op = "stage";
                        stage();
                    } else if (dice < 50 && !staged.isEmpty()) {
                        op = "apply";
                        apply();
                    } else if (dice < 60 && (!applied.isEmpty() || !staged.isEmpty())) {
                        op = "cleanup";
                        cleanup();
                    } else if (dice < 85 && !layers.isEmpty()) {
                        op = "delete";
                        delete();
                    } else if (!layers.isEmpty()) {
                        op = "names";
                        names();
                    }
                } catch (CairnException e) {
                    say("F " + t + " " + op + " " + e.getClass().getSimpleName());
                } catch (Exception | Error e) {
                    say("E " + t + " " + op + " " + String.valueOf(e).replace('\n', ' '));
                }
            }
        }

        private String nextName() {
            return "r" + round + "t" + t + "n" + (counter++);
        }

        private byte[] nextTar() {
            return TestTars.layer(round * 1_000_000L + t * 100_000L + (tars++), 1 + random.nextInt(12));
        }

        private void put() throws Exception {
            String name = nextName();
            byte[] tar = nextTar();
            String parent = !layers.isEmpty() && random.nextInt(10) < 3
                    ? layers.get(random.nextInt(layers.size())) : null;
            LayerSpec spec = LayerSpec.base().withName(name);
            if (parent != null) {
                spec = spec.withParent(parent);
            }
            say("B " + t + " put " + name + " " + (parent == null ? "-" : parent));
            String id = store.put(new ByteArrayInputStream(tar), spec).layer().id().hex();
            layers.add(id);
            say("A " + t + " put " + id + " " + name);
        }

        private void create() throws Exception {
            String name = nextName();
            say("B " + t + " create " + name);
            String id = store.create(LayerSpec.base().withName(name)).layer().id().hex();
            layers.add(id);
            say("A " + t + " create " + id + " " + name);
        }

        private void stage() throws Exception {
            byte[] tar = nextTar();
            say("B " + t + " stage");
            String sid = store.stage(new ByteArrayInputStream(tar)).id().hex();
            staged.add(sid);
            say("A " + t + " stage " + sid);
        }

        private void apply() throws Exception {
            String sid = staged.remove(random.nextInt(staged.size()));
            String name = nextName();
            say("B " + t + " apply " + sid + " " + name);
            String id = store.applyStaged(StagingId.of(sid), LayerSpec.base().withName(name))
                    .layer().id().hex();
            applied.add(sid);
            layers.add(id);
            say("A " + t + " apply " + sid + " " + id + " " + name);
        }

        private void cleanup() throws Exception {
            List<String> from = !applied.isEmpty() && (staged.isEmpty() || random.nextBoolean()) ? applied : staged;
            String sid = from.remove(random.nextInt(from.size()));
            say("B " + t + " cleanup " + sid);
            store.cleanupStaged(StagingId.of(sid));
            say("A " + t + " cleanup " + sid);
        }

        private void delete() throws Exception {
            String id = layers.get(random.nextInt(layers.size()));
            say("B " + t + " delete " + id);
            store.delete(id); // refused when it has children: then it stays, and stays this thread's
            layers.remove(id);
            say("A " + t + " delete " + id);
        }

        private void names() throws Exception {
            String id = layers.get(random.nextInt(layers.size()));
            List<String> names = new ArrayList<>();
            int n = random.nextInt(3);
            for (int i = 0; i < n; i++) {
                names.add(nextName());
            }
            String joined = String.join(",", names);
            say("B " + t + " names " + id + " " + (joined.isEmpty() ? "-" : joined));
            store.setNames(id, names);
            say("A " + t + " names " + id + " " + (joined.isEmpty() ? "-" : joined));
        }
    }
}
