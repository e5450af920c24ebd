package dev.cairn.registry;

import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.SizeMismatchException;
import dev.cairn.oci.Descriptor;
import dev.cairn.oci.ImageManifest;
import dev.cairn.oci.ManifestDocument;
import dev.cairn.oci.OciDigest;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What an OCI distribution registry needs of its storage, and nothing more: blobs, upload sessions, manifests, tags
 * and referrers per repository, where repositories are names over <em>one</em> content store (a blob pushed to two
 * repositories is kept once). {@link RegistryServer} speaks the HTTP protocol and calls only this; the protocol's
 * checks (name and digest grammar, manifest parsing, size limits, rights) are done before a call is made.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Nothing half-visible.</b> A blob becomes readable in a repository only when all its bytes are durable and
 *       verified against its digest; a manifest only when it and every blob it names are. A call that fails leaves
 *       what it was asked to change as it was (an upload keeps its durable offset).</li>
 *   <li><b>Durable on return.</b> When a mutating call returns, its effect survives a crash of the process or the
 *       machine; when {@link #appendUpload} returns, the bytes up to the offset it reports do.</li>
 *   <li><b>Uploads survive restarts.</b> A session is named by its {@link UploadId} and kept on disk: after a restart
 *       {@link #uploadStatus} reports the durable offset and the client resumes there. A session no one touched since a
 *       given time is reclaimed by {@link #reclaimUploads}; one that a live request is writing is never reclaimed.</li>
 *   <li><b>Audited.</b> Every mutating call carries the {@link AuditContext} of the request that caused it; an
 *       implementation records it with the change (the store journals it as the event's actor).</li>
 *   <li><b>Thread-safe, and several processes at once.</b> Calls may come from any number of threads, and other
 *       processes may share the same storage; reads never wait for a blob being streamed in.</li>
 *   <li><b>Expected outcomes are types:</b> {@link BlobUnknownException}, {@link ManifestUnknownException},
 *       {@link RepositoryUnknownException}, {@link UploadUnknownException}, {@link UploadRangeException},
 *       {@link ManifestBlobUnknownException}, {@link DigestMismatchException}, {@link SizeMismatchException}; any other
 *       {@link IOException} is a failure of the machine and names the path or position concerned.</li>
 * </ul>
 *
 * <h2>How the layer store implements it</h2>
 * {@link LayerStoreStorage}: uploads are sessions of the store (journaled, their bytes in {@code <root>/uploads/}),
 * completed blobs are the store's blobs linked to repositories by journal events, and {@link #putManifest} of an image
 * manifest makes an image record of the store (its layers staged from the pushed blobs and applied under
 * containers/image's ids); indexes and artifacts stay blobs and records. Deletions are events; bytes nothing holds
 * any more are removed. The layers are extracted at the manifest PUT, not while the blobs stream in
 * (docs/REGISTRY.md).
 */
public interface RegistryStorage extends Closeable {

    // ---- blobs ----

    /** The blob as the repository holds it, or empty if it does not. */
    Optional<BlobInfo> statBlob(RepositoryName repository, OciDigest digest) throws IOException;

    /**
     * Opens a blob for reading, positioned at 0; the caller may {@link SeekableByteChannel#position(long) seek} to serve
     * a range. The channel reads a consistent blob even if the blob is deleted meanwhile.
     *
     * @throws BlobUnknownException if the repository does not hold it
     */
    SeekableByteChannel openBlob(RepositoryName repository, OciDigest digest) throws IOException;

    /**
     * Removes a blob from a repository: it is no longer served there (other repositories holding it keep it).
     *
     * @throws BlobUnknownException if the repository does not hold it
     */
    void deleteBlob(RepositoryName repository, OciDigest digest, AuditContext audit) throws IOException;

    /**
     * Makes a blob the content store already has part of a repository without moving its bytes (cross-repository
     * mount). With {@code from} given, only a blob that repository holds is mounted; with it empty, any blob the
     * content store holds under that digest is — the caller decides whether the principal may see all of them.
     *
     * @return the blob mounted, or empty if there was none to mount (the caller then opens an upload)
     */
    Optional<BlobInfo> mountBlob(RepositoryName repository, Optional<RepositoryName> from, OciDigest digest,
                                 AuditContext audit) throws IOException;

    // ---- upload sessions ----

    /**
     * Opens an upload session, durably.
     *
     * @param algorithm the digest algorithm the client will close it with ({@code sha256} or {@code sha512}): the bytes
     *                  are hashed with it as they arrive
     */
    UploadStatus startUpload(RepositoryName repository, String algorithm, AuditContext audit) throws IOException;

    /**
     * The session as it stands: the offset is what is durable.
     *
     * @throws UploadUnknownException if no such session is open in that repository
     */
    UploadStatus uploadStatus(RepositoryName repository, UploadId id) throws IOException;

    /**
     * Appends a chunk, streaming it in constant memory, and makes it durable before returning.
     *
     * @param offset where the chunk starts; must equal the session's offset
     * @param length the chunk's length if the client said it, else -1 (a streamed chunk ends with its input)
     * @return the session after the chunk
     * @throws UploadRangeException  if {@code offset} is not the session's offset, or another chunk is being appended
     * @throws SizeMismatchException if the input ended before {@code length} bytes or ran past it
     * @throws UploadUnknownException if no such session is open in that repository
     *     <p>If the input fails part way, the session keeps the offset it had before this chunk.
     */
    UploadStatus appendUpload(RepositoryName repository, UploadId id, long offset, InputStream chunk, long length,
                              AuditContext audit) throws IOException;

    /**
     * Closes a session: its bytes must hash to {@code digest}; they become that blob of the repository (kept once in the
     * content store however many repositories hold it) and the session is gone.
     *
     * @throws DigestMismatchException if they do not; the session is discarded, since its bytes can never be that blob
     * @throws UploadUnknownException  if no such session is open in that repository
     */
    BlobInfo completeUpload(RepositoryName repository, UploadId id, OciDigest digest, AuditContext audit)
            throws IOException;

    /**
     * Discards a session and its bytes.
     *
     * @throws UploadUnknownException if no such session is open in that repository
     */
    void cancelUpload(RepositoryName repository, UploadId id, AuditContext audit) throws IOException;

    /** How many upload sessions are open now, in every repository (for the server's limit on them). */
    int openUploads() throws IOException;

    /**
     * Discards every session that no chunk has touched since {@code idleSince} and that no live request is writing.
     *
     * @return the sessions discarded
     */
    List<UploadId> reclaimUploads(Instant idleSince, AuditContext audit) throws IOException;

    // ---- manifests, tags, referrers ----

    /**
     * Stores a manifest or index under {@code digest} — the exact bytes, with the media type they were pushed as — and
     * points {@code tags} at it (moving a tag that pointed elsewhere). Every blob an image manifest names (config and
     * layers, except non-distributable layers, which are fetched from their URLs) and every manifest an index names must
     * be in the repository; the {@code subject} need not be, and the manifest becomes one of its referrers.
     *
     * @param digest the digest of {@code document.bytes()} in the algorithm the client used (the server computed it)
     * @throws ManifestBlobUnknownException if something it names is missing; nothing is stored
     */
    void putManifest(RepositoryName repository, OciDigest digest, ManifestDocument document, List<Tag> tags,
                     AuditContext audit) throws IOException;

    /** The digest a tag points at, or empty. */
    Optional<OciDigest> resolveTag(RepositoryName repository, Tag tag) throws IOException;

    /** A manifest the repository holds, or empty. */
    Optional<StoredManifest> getManifest(RepositoryName repository, OciDigest digest) throws IOException;

    /**
     * Removes a manifest from a repository, with every tag pointing at it and its place among its subject's referrers.
     *
     * @throws ManifestUnknownException if the repository does not hold it
     */
    void deleteManifest(RepositoryName repository, OciDigest digest, AuditContext audit) throws IOException;

    /**
     * Removes a tag; the manifest stays.
     *
     * @throws ManifestUnknownException if the repository has no such tag
     */
    void deleteTag(RepositoryName repository, Tag tag, AuditContext audit) throws IOException;

    /**
     * The repository's tags in ASCII order, starting after {@code after} (exclusive, compared as text: it need not be a tag the repository has) when given, at most {@code limit}.
     *
     * @throws RepositoryUnknownException if nothing was ever pushed to the repository
     */
    List<Tag> listTags(RepositoryName repository, Optional<String> after, int limit) throws IOException;

    /**
     * The manifests of the repository whose {@code subject} is {@code subject}, each as the referrers API describes it
     * ({@link #referrerDescriptor}), ordered by digest. Empty, never an error, for a subject nothing refers to.
     */
    List<Descriptor> referrers(RepositoryName repository, OciDigest subject) throws IOException;

    /**
     * Records that a blob or manifest was read (only called with {@code --audit-reads}).
     *
     * @param what what was read: a digest, or {@code tag:<tag>}
     */
    void recordRead(RepositoryName repository, String what, AuditContext audit) throws IOException;

    /**
     * The descriptor of a manifest in a referrers list: its media type, digest and size, its annotations, and its
     * {@code artifactType} — the manifest's own, else for an image manifest its config's media type, else none.
     */
    static Descriptor referrerDescriptor(OciDigest digest, ManifestDocument document) {
        Optional<String> artifactType = document.artifactType();
        if (artifactType.isEmpty() && document instanceof ImageManifest m) {
            artifactType = Optional.of(m.config().mediaType());
        }
        return new Descriptor(document.mediaType(), digest, document.size(), List.of(), document.annotations(),
                Optional.empty(), artifactType);
    }
}
