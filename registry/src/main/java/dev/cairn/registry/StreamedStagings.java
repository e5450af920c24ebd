package dev.cairn.registry;

import dev.cairn.model.Actor;
import dev.cairn.model.Digest;
import dev.cairn.store.LayerStore;
import dev.cairn.store.OwnedStaging;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The layers of this process's uploads, staged while their bytes arrive (docs/REGISTRY.md, "Where the layers are
 * extracted"). An upload whose first chunk starts with a gzip or zstd magic or a tar header ({@link #looksLikeLayer})
 * gets a {@link Feed}: every byte appended to the upload's data is also handed, in order, to a store staging
 * ({@link LayerStore#stageOwned}) that a thread of its own decompresses, hashes and extracts. A chunked upload keeps
 * feeding the same staging across requests while this process lives. When the upload completes with its digest
 * verified, the feed ends and the finished staging is remembered under the blob's sha256 until a manifest PUT
 * {@linkplain #take takes} it for the image import, or the age policy {@linkplain #reclaim discards} it.
 *
 * <p>Anything that puts the feed out of step with the upload's durable bytes — a chunk that fails part way, a chunk at
 * another offset, a cancel, a digest mismatch, a reclaim — aborts the feed and discards its staging; a stream that is
 * not a tar ends its staging by itself (the store refuses it), and the upload goes on as a plain blob. Either way the
 * manifest PUT falls back to the import from the blob, so a staging is an optimisation, never a source of truth: its
 * bytes are exactly the blob's, and the import checks its DiffID against the config's.
 *
 * <p>At most {@code limit} stagings run at once (each holds a thread, a bounded queue of {@value #QUEUE} buffers, and
 * the decompressor's memory); beyond that an upload is just stored. A feed that no chunk touched for
 * {@link #IDLE_SLOT} gives its slot up to a new upload. A staging whose process dies is removed by the store's
 * recovery (its owner lock dies with the process).
 *
 * <p>Thread-safe; a feed is written by one request at a time (the upload's lock).
 */
final class StreamedStagings implements AutoCloseable {

    /** How many leading bytes decide whether an upload looks like a layer: one tar header. */
    static final int SNIFF = 512;
    /** Buffers a feed's queue holds at most: what a staging that falls behind costs before the request waits. */
    private static final int QUEUE = 8;
    /** Memory a staging may take at most (queue, decompressor, extractor buffers): bounds the limit. */
    private static final long MEMORY_PER_STAGING = 64L << 20;
    /** A feed no chunk touched for this long gives its slot up to a new upload. */
    static final long IDLE_SLOT = TimeUnit.SECONDS.toNanos(30);

    private static final byte[] END = new byte[0];
    private static final byte[] CUT = new byte[0];

    private final LayerStore store;
    private final Semaphore slots;
    private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
    private final Map<Digest, Finished> finished = new ConcurrentHashMap<>();

    /** A staging of a completed upload, waiting for a manifest to claim it. */
    private record Finished(OwnedStaging staging, Instant completed) {
    }

    StreamedStagings(LayerStore store, int limit) {
        this.store = store;
        this.slots = new Semaphore(limit);
    }

    /** Twice the cores (a staging waits on the network as much as it computes), at most what memory allows. */
    static int defaultLimit() {
        Runtime rt = Runtime.getRuntime();
        return (int) Math.max(1, Math.min(2L * rt.availableProcessors(), rt.maxMemory() / MEMORY_PER_STAGING));
    }

    /**
     * Whether an upload's first {@code n} bytes look like a layer: a gzip member (1f 8b 08), a zstd frame
     * (28 b5 2f fd), or a tar header ({@code ustar} at offset 257, POSIX and GNU). A pre-POSIX tar has no magic and is
     * not staged while it streams (its manifest PUT imports it from the blob).
     */
    static boolean looksLikeLayer(byte[] b, int n) {
        if (n >= 3 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b && b[2] == 8) {
            return true;
        }
        if (n >= 4 && (b[0] & 0xff) == 0x28 && (b[1] & 0xff) == 0xb5 && (b[2] & 0xff) == 0x2f
                && (b[3] & 0xff) == 0xfd) {
            return true;
        }
        return n >= 262 && b[257] == 'u' && b[258] == 's' && b[259] == 't' && b[260] == 'a' && b[261] == 'r';
    }

    /**
     * The feed of an upload whose next chunk starts at {@code offset}, or null: a feed out of step (a chunk cut
     * before, bytes it never saw) is aborted.
     */
    Feed continuing(String upload, long offset) {
        Feed f = feeds.get(upload);
        if (f != null && f.fed != offset) {
            abort(upload);
            return null;
        }
        return f;
    }

    /**
     * A new feed for an upload whose first bytes are {@code first[0..n)}, if they look like a layer and a staging slot
     * is free; else null (the upload is just stored). The staging journals as {@code actor}.
     */
    Feed start(String upload, byte[] first, int n, Actor actor) {
        if (!looksLikeLayer(first, n) || !acquireSlot()) {
            return null;
        }
        Feed f = new Feed(upload);
        Feed had = feeds.put(upload, f);
        if (had != null) {
            had.abort();
        }
        Thread t = new Thread(() -> f.run(actor), "cairn-upload-stage-" + upload.substring(0, Math.min(8,
                upload.length())));
        t.setDaemon(true);
        t.start();
        return f;
    }

    private boolean acquireSlot() {
        if (slots.tryAcquire()) {
            return true;
        }
        long now = System.nanoTime();
        Feed idlest = null;
        for (Feed f : feeds.values()) {
            if (now - f.touched > IDLE_SLOT && (idlest == null || f.touched < idlest.touched)) {
                idlest = f;
            }
        }
        if (idlest != null && feeds.remove(idlest.upload, idlest)) {
            idlest.abort();
            return slots.tryAcquire();
        }
        return false;
    }

    /** Ends an upload's feed, if it has one, discarding its staging: the upload goes on, or went, as a plain blob. */
    void abort(String upload) {
        Feed f = feeds.remove(upload);
        if (f != null) {
            f.abort();
        }
    }

    /**
     * The upload completed as blob {@code content} of {@code size} bytes: its feed, if it saw exactly those bytes, is
     * ended and its finished staging remembered for the manifest to come. Waits for the staging to finish.
     */
    void complete(String upload, long size, Digest content) {
        Feed f = feeds.remove(upload);
        if (f == null) {
            return;
        }
        if (f.fed != size) {
            f.abort();
            return;
        }
        Optional<OwnedStaging> s = f.finish();
        if (s.isPresent()) {
            Finished had = finished.putIfAbsent(content, new Finished(s.get(), Instant.now()));
            if (had != null) {
                discardQuietly(s.get(), "the same blob was staged by another upload");
            }
        }
    }

    /**
     * Takes the finished stagings of these blobs (by sha256) for a manifest's image import; the caller closes them
     * after the import (those the import applied are its own then, and closing them does nothing).
     */
    Map<Digest, OwnedStaging> take(Collection<Digest> blobs) {
        Map<Digest, OwnedStaging> taken = new HashMap<>();
        for (Digest d : blobs) {
            Finished f = finished.remove(d);
            if (f != null) {
                taken.put(d, f.staging());
            }
        }
        return taken;
    }

    /** Discards the finished stagings no manifest claimed since {@code idleSince}: the uploads' age policy. */
    List<Digest> reclaim(Instant idleSince) {
        List<Digest> gone = new ArrayList<>();
        for (Map.Entry<Digest, Finished> e : finished.entrySet()) {
            if (e.getValue().completed().isBefore(idleSince) && finished.remove(e.getKey(), e.getValue())) {
                discardQuietly(e.getValue().staging(), "no manifest claimed it since " + e.getValue().completed());
                gone.add(e.getKey());
            }
        }
        return gone;
    }

    /** Uploads being staged now, and finished stagings waiting for a manifest: for tests and diagnostics. */
    int feeding() {
        return feeds.size();
    }

    int waiting() {
        return finished.size();
    }

    @Override
    public void close() {
        for (String upload : List.copyOf(feeds.keySet())) {
            abort(upload);
        }
        for (Digest d : List.copyOf(finished.keySet())) {
            Finished f = finished.remove(d);
            if (f != null) {
                discardQuietly(f.staging(), "the registry stopped");
            }
        }
    }

    static void discardQuietly(OwnedStaging s, String reason) {
        try {
            s.discard(reason);
        } catch (IOException | RuntimeException e) {
            // what is left is the store recovery's: the staging's owner lock dies with this process
        }
    }

    static void closeQuietly(Collection<OwnedStaging> stagings) {
        for (OwnedStaging s : stagings) {
            discardQuietly(s, "the image import did not need it");
        }
    }

    /**
     * One upload's bytes on their way to its staging: a bounded queue between the request writing the upload and the
     * thread extracting it. The request waits while the queue is full; once the staging has ended (finished, or
     * refused the stream), further bytes are only counted.
     */
    final class Feed {
        final String upload;
        private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
        private final CompletableFuture<OwnedStaging> result = new CompletableFuture<>();
        /** Bytes handed to it so far (also those dropped once the staging ended): the upload offset it follows. */
        private volatile long fed;
        /** System.nanoTime() of its last chunk. */
        private volatile long touched = System.nanoTime();
        private volatile boolean ended;

        private Feed(String upload) {
            this.upload = upload;
        }

        /** Hands {@code b[0..n)} on, in order; waits while the staging is behind. */
        void write(byte[] b, int n) throws InterruptedIOException {
            fed += n;
            touched = System.nanoTime();
            if (!ended && n > 0) {
                put(Arrays.copyOf(b, n));
            }
        }

        private void put(byte[] item) throws InterruptedIOException {
            try {
                while (!ended && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    // the staging is behind: wait for it, or for its end
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while staging upload " + upload);
            }
        }

        /** The end of the bytes: the staging, once finished, or empty if it refused them or failed. */
        private Optional<OwnedStaging> finish() {
            try {
                put(END);
                return Optional.of(result.get());
            } catch (InterruptedIOException e) {
                abort();
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort();
                return Optional.empty();
            } catch (ExecutionException e) {
                return Optional.empty(); // not a tar the store stages, or a failure: the blob is still the blob
            }
        }

        /** Cuts the stream: the staging fails on it and is discarded (one that finished already is discarded too). */
        private void abort() {
            ended = true;
            queue.clear();
            queue.offer(CUT);
            result.thenAccept(s -> discardQuietly(s, "its upload was cut, cancelled or reclaimed"));
        }

        private void run(Actor actor) {
            try (LayerStore.ActorScope a = store.actingFor(actor)) {
                result.complete(store.stageOwned(new Input(), bytes -> { }));
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            } finally {
                ended = true;
                queue.clear();
                slots.release();
            }
        }

        /** The staging's side of the queue. */
        private final class Input extends InputStream {
            private byte[] current = END;
            private int pos;
            private boolean eof;

            @Override
            public int read() throws IOException {
                return awaitByte() ? current[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!awaitByte()) {
                    return -1;
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }

            /** Whether a byte is there to read, waiting for the next buffer if need be; false at the end. */
            private boolean awaitByte() throws IOException {
                while (pos == current.length) {
                    if (eof) {
                        return false;
                    }
                    byte[] next;
                    try {
                        next = queue.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while staging upload " + upload);
                    }
                    if (next == CUT) {
                        throw new IOException("upload " + upload + " was cut, cancelled or reclaimed while staged");
                    }
                    if (next == END) {
                        eof = true;
                        return false;
                    }
                    current = next;
                    pos = 0;
                }
                return true;
            }
        }
    }
}
