package dev.cairn.store.internal;

import dev.cairn.model.BlobNotFoundException;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Digest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the store keeps blobs — layers' compressed bytes as received, manifests and configs — content-addressed by
 * their sha256 digest. Only bytes live here; <em>which</em> blobs the store holds, and for whom, is in the journal
 * ({@code ImageCreated} lists an image's blobs before any of them is put here), so recovery and verify account for
 * every blob, and a blob no image holds is an orphan recovery removes. {@link FileBlobStore} keeps them under
 * {@code <root>/blobs/}; an object store (S3 and its kin) can implement the same contract without a change in the
 * sagas above it.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Whole or absent.</b> A blob is visible under its digest only once all its bytes are durable and verified
 *       against digest and size; a crash at any moment leaves the old state or the new one, plus at most a temporary
 *       named by its writer's owner lock ({@link #temporaries}), which recovery removes once that owner is dead.</li>
 *   <li><b>Idempotent.</b> Putting a blob that is there already reads nothing and changes nothing; removing one that
 *       is not there is no error. Two writers putting the same blob at once both succeed.</li>
 *   <li><b>Removal is made durable by {@link #sync}</b>, so that one sync covers a batch. The caller decides that no
 *       image holds a blob, and removes it, under the store's writers' lock: an image saga references a blob only
 *       under that lock and looks for it only after that, so it never relies on a blob being removed.</li>
 *   <li>Readers never wait: an open channel reads a consistent blob even if the blob is removed meanwhile.</li>
 * </ul>
 * Thread-safe.
 */
public interface BlobStore {

    /** The blob's digest and size, if the store has it. */
    Optional<BlobRef> stat(Digest digest) throws IOException;

    /**
     * Opens a blob for reading at position 0.
     *
     * @throws BlobNotFoundException if the store does not have it
     */
    SeekableByteChannel open(Digest digest) throws IOException;

    /**
     * Puts a blob from a stream, verified against {@code blob} while it is written, durably and atomically. If the
     * blob is there already, {@code in} is not read.
     *
     * @param owner the lock name of the saga that writes it: its temporary is named by it
     * @throws dev.cairn.model.DigestMismatchException if the bytes do not hash to the digest; nothing is kept
     * @throws dev.cairn.model.SizeMismatchException   if they are not of the size
     */
    void put(BlobRef blob, InputStream in, String owner) throws IOException;

    /**
     * Receives a blob's bytes into a temporary named by {@code owner}, verified against {@code blob} and durable,
     * without making it visible: for a saga that may not hold the blob yet (its start event not yet written), which
     * later {@link #adopt}s the file or removes it ({@link #removeTemporary}).
     *
     * @return the temporary file
     * @throws dev.cairn.model.DigestMismatchException if the bytes do not hash to the digest; nothing is kept
     * @throws dev.cairn.model.SizeMismatchException   if they are not of the size
     */
    Path receive(BlobRef blob, InputStream in, String owner) throws IOException;

    /** {@link #put(BlobRef, InputStream, String)} of bytes held in memory (a manifest, a config). */
    default void put(BlobRef blob, byte[] bytes, String owner) throws IOException {
        put(blob, new ByteArrayInputStream(bytes), owner);
    }

    /**
     * Moves a file that already holds the blob's bytes, durably and verified by whoever wrote it (a staging's copy of
     * a layer's blob, hashed while it was extracted), into the store: a rename where the store is on the same file
     * system, an upload elsewhere. If the blob is there already, {@code file} is removed instead.
     */
    void adopt(BlobRef blob, Path file) throws IOException;

    /** Removes a blob if it is there; made durable by the next {@link #sync}. */
    void remove(Digest digest) throws IOException;

    /** Makes every removal so far durable. */
    void sync() throws IOException;

    /** The names of every entry where blobs are kept (the digests' hex; anything else there is debris). */
    List<String> list() throws IOException;

    /**
     * The names of the temporaries writers left, each starting with its writer's owner lock
     * ({@link dev.cairn.recovery.RecoveryDisk#blobTemporaryOwner}).
     */
    List<String> temporaries() throws IOException;

    /** Removes a temporary, durably. */
    void removeTemporary(String name) throws IOException;
}
