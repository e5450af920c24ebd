package dev.cairn.registry;

import dev.cairn.model.Digest;
import dev.cairn.store.Caller;
import dev.cairn.store.LayerStore;
import dev.cairn.store.OwnedStaging;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The layers of this process's uploads, staged while their bytes arrive (docs/REGISTRY.md, "Where the layers are
 * extracted"). An upload whose first chunk starts with a gzip or zstd magic or a tar header ({@link #looksLikeLayer})
 * gets a {@link Feed}: a thread of its own runs a store staging ({@link LayerStore#stageOwned}) that reads the upload's
 * data file as it grows — the very bytes written there, once each, following the request that writes them — and
 * decompresses, hashes and extracts them. The request never waits for it: the file is the buffer (its bytes are still
 * in the page cache when the staging reads them). A chunked upload keeps feeding the same staging across requests
 * while this process lives. When the upload completes with its digest verified, the feed is told the end and the
 * staging, finishing in the background, is remembered under the blob's sha256 until a manifest PUT
 * {@linkplain #take takes} it (waiting for it to finish) for the image import, or the age policy
 * {@linkplain #reclaim discards} it. So consecutive layers of a push are extracted in parallel, each beside its
 * upload.
 *
 * <p>Anything that puts the feed out of step with the upload's durable bytes — a chunk that fails part way, a chunk at
 * another offset, a cancel, a digest mismatch, a reclaim — aborts the feed and discards its staging; a stream that is
 * not a tar ends its staging by itself (the store refuses it), and the upload goes on as a plain blob. Either way the
 * manifest PUT falls back to the import from the blob, so a staging is an optimisation, never a source of truth: its
 * bytes are exactly the blob's, and the import checks its DiffID against the config's.
 *
 * <p>At most {@code limit} stagings run at once (each holds a thread and the decompressor's and extractor's memory);
 * beyond that an upload is just stored. A feed that no chunk touched for {@link #IDLE_SLOT} gives its slot up to a
 * new upload. A staging whose process dies is removed by the store's recovery (its owner lock dies with the process).
 *
 * <p>Thread-safe; a feed is written by one request at a time (the upload's lock).
 */
final class StreamedStagings implements AutoCloseable {

    /** How many leading bytes decide whether an upload looks like a layer: one tar header. */
    static final int SNIFF = 512;
    /** Memory a staging may take at most (decompressor, extractor buffers): bounds the limit. */
    private static final long MEMORY_PER_STAGING = 64L << 20;
    /** A feed no chunk touched for this long gives its slot up to a new upload. */
    static final long IDLE_SLOT = TimeUnit.SECONDS.toNanos(30);

    /** What a staging reads of the upload's file at a time. */
    private static final int READ_BUFFER = 1 << 20;
    /** How long closing waits for the stagings' threads to end. */
    private static final long CLOSE_WAIT_SECONDS = 10;
    /** How long a staging waits for more bytes before it looks again whether its feed was ended or cut. */
    private static final long POLL_MILLIS = 100;

    private final LayerStore store;
    private final Semaphore slots;
    private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
    private final Map<Digest, Finished> finished = new ConcurrentHashMap<>();

    /** The staging of a completed upload (perhaps still finishing), waiting for a manifest to claim it. */
    private record Finished(CompletableFuture<OwnedStaging> staging, Instant completed) {
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
     * is free; else null (the upload is just stored). The staging reads {@code data}, the upload's file, and journals as
     * {@code caller}.
     */
    Feed start(String upload, Path data, byte[] first, int n, Caller caller) {
        if (!looksLikeLayer(first, n) || !acquireSlot()) {
            return null;
        }
        FileChannel source;
        try {
            source = FileChannel.open(data, StandardOpenOption.READ);
        } catch (IOException e) {
            slots.release();
            return null; // the upload is just stored
        }
        Feed f = new Feed(upload, source);
        Feed had = feeds.put(upload, f);
        if (had != null) {
            had.abort();
        }
        Thread t = new Thread(() -> f.run(caller), "cairn-upload-stage-" + upload.substring(0, Math.min(8,
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
            try {
                return slots.tryAcquire(1, TimeUnit.SECONDS); // its thread lets the slot go as it ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
     * told the end, and its staging (which finishes in the background) remembered for the manifest to come.
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
        CompletableFuture<OwnedStaging> s = f.end();
        Finished entry = new Finished(s, Instant.now());
        Finished had = finished.putIfAbsent(content, entry);
        if (had != null) {
            discardWhenDone(s, "the same blob was staged by another upload");
        } else {
            s.exceptionally(e -> { // not a tar the store stages: nothing to wait for
                finished.remove(content, entry);
                return null;
            });
        }
    }

    /**
     * Takes the stagings of these blobs (by sha256) for a manifest's image import, waiting for those still finishing;
     * one that failed (not a tar the store stages) is left out. The caller closes them after the import (those the
     * import applied are its own then, and closing them does nothing).
     */
    Map<Digest, OwnedStaging> take(Collection<Digest> blobs) throws InterruptedIOException {
        Map<Digest, OwnedStaging> taken = new HashMap<>();
        for (Digest d : blobs) {
            Finished f = finished.remove(d);
            if (f == null) {
                continue;
            }
            try {
                taken.put(d, f.staging().get());
            } catch (ExecutionException e) {
                // no staging: the import extracts the blob
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                discardWhenDone(f.staging(), "the manifest PUT that took it was interrupted");
                closeQuietly(taken.values());
                throw new InterruptedIOException("interrupted while waiting for the staging of " + d);
            }
        }
        return taken;
    }

    /** Discards the finished stagings no manifest claimed since {@code idleSince}: the uploads' age policy. */
    List<Digest> reclaim(Instant idleSince) {
        List<Digest> gone = new ArrayList<>();
        for (Map.Entry<Digest, Finished> e : finished.entrySet()) {
            if (e.getValue().completed().isBefore(idleSince) && finished.remove(e.getKey(), e.getValue())) {
                discardWhenDone(e.getValue().staging(), "no manifest claimed it since " + e.getValue().completed());
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

    /**
     * Cuts every feed and discards every staging, waiting (up to {@link #CLOSE_WAIT_SECONDS} s) for their threads, so
     * that the store is not closed under them; what is left then is the store recovery's.
     */
    @Override
    public void close() {
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        for (String upload : List.copyOf(feeds.keySet())) {
            Feed f = feeds.remove(upload);
            if (f != null) {
                ends.add(f.abort());
            }
        }
        for (Digest d : List.copyOf(finished.keySet())) {
            Finished f = finished.remove(d);
            if (f != null) {
                ends.add(discardWhenDone(f.staging(), "the registry stopped"));
            }
        }
        try {
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // a staging that failed left nothing; one still running is the recovery's once this process ends
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Discards the staging once it is finished (at once if it is); a staging that failed left nothing. */
    static CompletableFuture<Void> discardWhenDone(CompletableFuture<OwnedStaging> s, String reason) {
        return s.thenAccept(staging -> discardQuietly(staging, reason));
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
     * One upload's bytes on their way to its staging: the staging's thread reads the upload's data file up to
     * {@link #fed}, waiting while it is ahead of the request writing it, until the feed is {@linkplain #end ended}
     * (the end of the stream) or {@linkplain #abort cut} (a failure of the stream: the store discards the staging).
     */
    final class Feed {
        final String upload;
        private final FileChannel source;
        private final CompletableFuture<OwnedStaging> result = new CompletableFuture<>();
        /** Bytes of the upload written to its file and handed on so far: the upload offset it follows. */
        private volatile long fed;
        /** System.nanoTime() of its last chunk. */
        private volatile long touched = System.nanoTime();
        private volatile boolean ended;
        private volatile boolean cut;

        private Feed(String upload, FileChannel source) {
            this.upload = upload;
            this.source = source;
        }

        /** {@code n} more bytes are in the upload's file, written there in order before this call. */
        void write(int n) {
            synchronized (this) {
                fed += n;
                notifyAll();
            }
            touched = System.nanoTime();
        }

        /** The end of the bytes: the staging, when finished; failed if it refused them. */
        private CompletableFuture<OwnedStaging> end() {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
            return result;
        }

        /**
         * Cuts the stream: the staging fails on it and is discarded (one that finished already is discarded too).
         * The returned stage completes when that is done.
         */
        private CompletableFuture<Void> abort() {
            synchronized (this) {
                cut = true;
                notifyAll();
            }
            return discardWhenDone(result, "its upload was cut, cancelled or reclaimed");
        }

        private void run(Caller caller) {
            try (source) {
                // large reads: a decompressor asks for a few KiB at a time, each a read of the file otherwise
                result.complete(store.as(caller).stageOwned(new java.io.BufferedInputStream(new Input(), READ_BUFFER),
                        bytes -> { }));
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            } finally {
                slots.release();
            }
        }

        /** Waits until the upload's file holds a byte at {@code pos}; false at the end of the stream. */
        private synchronized boolean awaitByte(long pos) throws IOException {
            while (true) {
                if (cut) {
                    throw new IOException("upload " + upload + " was cut, cancelled or reclaimed while staged");
                }
                if (pos < fed) {
                    return true;
                }
                if (ended) {
                    return false;
                }
                try {
                    wait(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while staging upload " + upload);
                }
            }
        }

        /** The staging's side: the upload's file, read as it grows. */
        private final class Input extends InputStream {
            private long pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!awaitByte(pos)) {
                    return -1;
                }
                int want = (int) Math.min(len, fed - pos);
                int n = source.read(ByteBuffer.wrap(b, off, want), pos);
                if (n < 0) {
                    throw new IOException("upload " + upload + " data ended at " + pos + ", before its offset " + fed);
                }
                pos += n;
                return n;
            }
        }
    }
}
