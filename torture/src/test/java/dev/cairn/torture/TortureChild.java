package dev.cairn.torture;

import dev.cairn.model.CairnException;
import dev.cairn.model.Layer;
import dev.cairn.model.StagingId;
import dev.cairn.oci.ImageReference;
import dev.cairn.oci.Platform;
import dev.cairn.store.ImageSpec;
import dev.cairn.store.LayerSpec;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StagedLayer;
import dev.cairn.store.StoreOptions;
import dev.cairn.store.TestImage;
import dev.cairn.store.TestTars;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The process the torture runs kill: {@code TortureChild ROOT ROUND SEED THREADS [SYNC [owned]]}. It opens the
 * store (running recovery), prints {@code READY}, and lets {@code THREADS} threads run a random mix of stage,
 * apply, cleanup, put, create, delete, name changes, image imports and image deletes until the process is killed.
 * An image is an OCI layout the thread writes beside the store: a base layer of its own (shared by its images, so
 * layers and blobs are found again) and one or two layers of fresh content. SYNC is how extracted layers
 * are made durable: {@code syncfs} (the default: one syncfs per layer, an fsync per file for a layer of fewer than
 * {@code ExtractOptions.SYNCFS_MIN_FILES} files, which the torture's layers are), {@code syncfs-always} (the one
 * syncfs for every layer, however small), {@code fsync-each-file}, or {@code unsafe-no-sync} — never: the planted bug
 * the power-cut test must catch.
 *
 * <p>What a thread works on is its own, so that no two calls ever race for one layer or staging and the parent can
 * tell what each returned call implies. Alone on its store (the single-process run, the power cut) the child takes
 * every layer and finished staging it finds at open and shares them among its threads by hash. With {@code owned}
 * (the multi-process run, {@link ProcessesTorture}) other processes work on the same store, and it works only on
 * what the parent gives it, one line each on stdin, at start and while it runs (a staging another process's
 * {@code cairn stage} printed):
 * <pre>
 * L ID     a layer to rename, delete and stand new layers on
 * S SID    a finished staging to apply (or clean up)
 * C SID    an applied staging to clean up
 * I ID     an image to delete
 * </pre>
 * Either way stdin closing means the parent died, and the child halts.
 *
 * <p>Protocol on stdout, one line per event, each line written whole and flushed before the thread goes on:
 * <pre>
 * B t OP ARGS     thread t is about to call OP (put NAME PARENT|-, create NAME, stage, apply SID NAME,
 *                 cleanup SID, delete ID, names ID N1,N2, image IMAGE NAME L1,L2,..., imagedelete IMAGE)
 * A t OP RESULT   the call returned (put ID NAME, create ID NAME, stage SID, apply SID ID NAME, cleanup SID,
 *                 delete ID, names ID N1,N2, image IMAGE NAME L1,L2,..., imagedelete IMAGE): from here on it must
 *                 be durable
 * F t OP ERROR    the call was refused with an expected error (a CairnException): nothing changed. Every call is
 *                 made so that it must succeed but for one: deleting a layer that has children or that an image
 *                 uses
 * E t OP ERROR    anything else (t is {@code -} for the open): a bug, reported by the parent as a violation
 * </pre>
 * Names and tar contents are unique per (round, thread, counter), and the parent gives every process a round of its
 * own, so no two calls ever make the same name or id.
 */
public final class TortureChild {

    private static final PrintStream OUT = System.out;
    /** Per thread; above it a thread favours delete (a refused delete of a parent keeps the layer). */
    private static final int MAX_LAYERS = 40;
    private static final int MAX_STAGED = 12;
    private static final int MAX_IMAGES = 4;

    private TortureChild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 4 && args[4].equals("syncfs-always")) {
            System.setProperty("cairn.syncfsMinFiles", "1"); // read once, when the extractor's defaults are made
        }
        Path root = Path.of(args[0]);
        long round = Long.parseLong(args[1]);
        long seed = Long.parseLong(args[2]);
        int threads = Integer.parseInt(args[3]);
        String sync = args.length > 4 ? args[4] : "syncfs";
        boolean owned = args.length > 5 && args[5].equals("owned");
        StoreOptions options = switch (sync) {
            case "syncfs", "syncfs-always" -> StoreOptions.defaults();
            case "fsync-each-file" -> StoreOptions.defaults().withSyncfs(false);
            case "unsafe-no-sync" -> StoreOptions.defaults().withUnsafeNoSync(true);
            default -> throw new IllegalArgumentException("unknown SYNC " + sync);
        };
        // Index snapshots far more often than by default, so that children are killed while writing them and every
        // restart (and the ledger's check) opens from one: the invariants check each against the fold from seq 1.
        options = options.withSnapshots(dev.cairn.store.SnapshotPolicy.DEFAULT.withEveryRecords(25)
                .withEvery(java.time.Duration.ofMillis(300)).withOnCloseRecords(1));
        List<Inbox> inboxes = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            inboxes.add(new Inbox());
        }
        listenToTheParent(inboxes, owned);
        LayerStore store;
        try {
            store = LayerStore.open(root, options);
        } catch (Exception | Error e) {
            say("E - open " + oneLine(e));
            System.exit(1);
            return;
        }
        if (!owned) {
            for (Layer l : store.layers()) {
                inboxFor(inboxes, l.id().hex()).add("L", l.id().hex());
            }
            for (dev.cairn.model.ImageRecord i : store.images()) {
                inboxFor(inboxes, i.id().hex()).add("I", i.id().hex());
            }
            for (StagedLayer s : store.staged()) {
                inboxFor(inboxes, s.id().hex()).add("S", s.id().hex());
            }
        }
        say("READY");
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(store, t, round, new Random(seed * 31 + t), inboxes.get(t),
                    root.resolveSibling(root.getFileName() + "-images").resolve("r" + round + "t" + t));
            Thread th = new Thread(w, "torture-" + t);
            th.start();
            workers.add(th);
        }
        for (Thread th : workers) {
            th.join();
        }
    }

    /**
     * With {@code owned}, the parent's lines go to the inbox of the thread the item hashes to; without, the parent
     * writes nothing.
     */
    private static void listenToTheParent(List<Inbox> inboxes, boolean owned) {
        haltWhenStdinCloses(line -> {
            String[] f = line.split(" ");
            if (owned && f.length == 2) {
                inboxFor(inboxes, f[1]).add(f[0], f[1]);
            }
        });
    }

    /**
     * Reads stdin on a thread of its own, giving each line to {@code lines}. When stdin closes the parent has died,
     * and so must this process (it halts), or a child whose parent was stopped would work on forever.
     */
    static void haltWhenStdinCloses(Consumer<String> lines) {
        Thread listener = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.accept(line);
                }
            } catch (IOException ignored) {
                // a broken pipe is the same news
            }
            Runtime.getRuntime().halt(3);
        }, "parent-listener");
        listener.setDaemon(true);
        listener.start();
    }

    private static Inbox inboxFor(List<Inbox> inboxes, String id) {
        return inboxes.get(Math.floorMod(id.hashCode(), inboxes.size()));
    }

    private static String oneLine(Throwable e) {
        return String.valueOf(e).replace('\n', ' ');
    }

    /** What a thread is given to work on, by the parent or at open; the thread takes it in between its calls. */
    private static final class Inbox {
        private final ConcurrentLinkedQueue<String[]> items = new ConcurrentLinkedQueue<>();

        void add(String kind, String id) {
            items.add(new String[] {kind, id});
        }

        void drainInto(List<String> layers, List<String> staged, List<String> applied, List<String> images) {
            for (String[] item = items.poll(); item != null; item = items.poll()) {
                switch (item[0]) {
                    case "L" -> layers.add(item[1]);
                    case "S" -> staged.add(item[1]);
                    case "C" -> applied.add(item[1]);
                    case "I" -> images.add(item[1]);
                    default -> say("E - inbox unknown kind " + item[0]);
                }
            }
        }
    }

    /** Prints one whole line and flushes it (lines of several threads never interleave). */
    static void say(String line) {
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
        private final Inbox inbox;
        private final List<String> layers = new ArrayList<>();
        private final List<String> staged = new ArrayList<>();
        private final List<String> applied = new ArrayList<>();
        private final List<String> images = new ArrayList<>();
        private final Path layouts;
        private long counter;
        private long tars;

        Worker(LayerStore store, int t, long round, Random random, Inbox inbox, Path layouts) {
            this.store = store;
            this.t = t;
            this.round = round;
            this.random = random;
            this.inbox = inbox;
            this.layouts = layouts;
        }

        @Override
        public void run() {
            while (true) {
                inbox.drainInto(layers, staged, applied, images);
                // A thread holding many layers (or stagings) mostly deletes (or cleans up) until it is back under
                // its share: the store stays about the same size however long the run, so every check, which
                // rehashes every layer, costs the same at the thousandth kill as at the first.
                int dice = images.size() > MAX_IMAGES && random.nextBoolean() ? 86
                        : layers.size() > MAX_LAYERS && random.nextBoolean() ? 60
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
                    } else if (dice < 80 && !layers.isEmpty()) {
                        op = "delete";
                        delete();
                    } else if (dice < 84) {
                        op = "image";
                        importImage();
                    } else if (dice < 88 && !images.isEmpty()) {
                        op = "imagedelete";
                        deleteImage();
                    } else if (!layers.isEmpty()) {
                        op = "names";
                        names();
                    }
                } catch (CairnException e) {
                    say("F " + t + " " + op + " " + e.getClass().getSimpleName());
                } catch (Exception | Error e) {
                    say("E " + t + " " + op + " " + oneLine(e));
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

        /**
         * An image of two or three layers: this thread's base (the same in every image it makes in this round, so a
         * second image finds the layer and its blob in the store) and fresh ones, written as an OCI layout first.
         */
        private void importImage() throws Exception {
            String name = nextName();
            List<byte[]> layerTars = new ArrayList<>();
            layerTars.add(plain(TestTars.layer(round * 1_000_000L + t * 100_000L + 99_999L, 3)));
            int fresh = 1 + random.nextInt(2);
            for (int i = 0; i < fresh; i++) {
                layerTars.add(plain(nextTar()));
            }
            TestImage.Written w = TestImage.oci(layouts.resolve(name), "v1", layerTars, true, "{}");
            List<String> ids = TestImage.storageIds(w.diffIds()).stream().map(l -> l.hex()).toList();
            say("B " + t + " image " + w.config().hex() + " " + name + " " + String.join(",", ids));
            String id = store.importImage(ImageReference.parse(w.reference()), Platform.of("linux", "amd64", null),
                    ImageSpec.unnamed().withName(name), n -> { }).image().id().hex();
            images.add(id);
            say("A " + t + " image " + id + " " + name + " " + String.join(",", ids));
            dev.cairn.io.DurableFiles.removeTree(w.dir());
        }

        private void deleteImage() throws Exception {
            String id = images.remove(random.nextInt(images.size()));
            say("B " + t + " imagedelete " + id);
            store.deleteImage(id);
            say("A " + t + " imagedelete " + id);
        }

        private static byte[] plain(byte[] gzip) throws java.io.IOException {
            try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gzip))) {
                return in.readAllBytes();
            }
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
