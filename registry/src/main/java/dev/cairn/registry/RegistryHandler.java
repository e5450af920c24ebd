package dev.cairn.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.DigestMismatchException;
import dev.cairn.model.InvalidImageException;
import dev.cairn.model.SizeMismatchException;
import dev.cairn.model.UnsupportedImageException;
import dev.cairn.oci.Descriptor;
import dev.cairn.oci.ManifestDocument;
import dev.cairn.oci.MediaTypes;
import dev.cairn.oci.OciDigest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * The distribution API v1.1 as Jetty core handler: routes each request, authenticates and authorizes it, turns it into
 * calls of a {@link RegistryStorage}, and turns their outcomes — results and expected exceptions — into the spec's
 * statuses, headers and JSON error bodies. Every response carries {@code X-Request-Id} (the id given to storage in the
 * {@link AuditContext}) and {@code Docker-Distribution-API-Version: registry/2.0}.
 *
 * <p>Request bodies are streamed into storage (uploads) or read up to the manifest limit (manifests); blob bodies are
 * streamed out of storage asynchronously (memory-mapped slices of a file, else pooled buffers). Thread-safe: it holds no per-request state.
 */
final class RegistryHandler extends Handler.Abstract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "([^?#]+?)";
    private static final Pattern PING = Pattern.compile("/v2/?");
    private static final Pattern UPLOADS = Pattern.compile("/v2/" + NAME + "/blobs/uploads/?");
    private static final Pattern UPLOAD = Pattern.compile("/v2/" + NAME + "/blobs/uploads/([^/]+)");
    private static final Pattern BLOB = Pattern.compile("/v2/" + NAME + "/blobs/([^/]+)");
    private static final Pattern MANIFEST = Pattern.compile("/v2/" + NAME + "/manifests/([^/]+)");
    private static final Pattern TAGS = Pattern.compile("/v2/" + NAME + "/tags/list");
    private static final Pattern REFERRERS = Pattern.compile("/v2/" + NAME + "/referrers/([^/]+)");
    private static final Pattern CONTENT_RANGE = Pattern.compile("(\\d{1,18})-(\\d{1,18})");
    private static final Pattern BYTES_RANGE = Pattern.compile("bytes=(\\d{0,18})-(\\d{0,18})");
    /** The largest tag page served at once; a longer listing is paged with {@code Link}. */
    static final int MAX_TAGS_PAGE = 10_000;
    private static final int BLOB_BUFFER = 256 * 1024;
    private static final long MAPPED_SLICE = 8L << 20;

    private final RegistryStorage storage;
    private final RegistryConfig config;

    RegistryHandler(RegistryStorage storage, RegistryConfig config) {
        this.storage = storage;
        this.config = config;
    }

    /** What one request is about, once routed and authenticated. */
    private record Call(Request request, Response response, Callback callback, AuditContext audit, boolean head) {
        Fields query() {
            return Request.extractQueryParameters(request);
        }

        String header(String name) {
            return request.getHeaders().get(name);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long started = System.nanoTime();
        String requestId = UUID.randomUUID().toString();
        response.getHeaders().put("X-Request-Id", requestId);
        response.getHeaders().put("Docker-Distribution-API-Version", "registry/2.0");
        String client = Request.getRemoteAddr(request);
        String[] principal = {AuditContext.ANONYMOUS};
        config.requestLog().ifPresent(log -> Request.addCompletionListener(request, failure ->
                logLine(log, request, response, client, principal[0], requestId, started, failure)));
        Call call = null;
        try {
            principal[0] = authenticate(request);
            call = new Call(request, response, callback, new AuditContext(principal[0], client, requestId),
                    "HEAD".equals(request.getMethod()));
            route(call);
        } catch (ProtocolException e) {
            sendError(request, response, callback, e.status, List.of(error(e.code, e.getMessage(), null)), e.headers);
        } catch (Exception e) {
            fail(call != null ? call : new Call(request, response, callback, null, false), e);
        }
        return true;
    }

    // ---- routing ----

    private void route(Call c) throws Exception {
        String path = c.request().getHttpURI().getPath();
        String method = c.request().getMethod();
        Matcher m;
        if (PING.matcher(path).matches()) {
            requireMethod(method, "GET", "HEAD");
            if (!config.access().allowsAnything(c.audit().principal())) {
                throw unauthorized("authentication required");
            }
            sendJson(c, 200, JSON.createObjectNode(), Map.of());
        } else if ((m = UPLOADS.matcher(path)).matches()) {
            requireMethod(method, "POST");
            RepositoryName repo = authorize(c, m.group(1), AccessPolicy.Right.PUSH);
            startUpload(c, repo);
        } else if ((m = UPLOAD.matcher(path)).matches()) {
            RepositoryName repo = authorize(c, m.group(1), AccessPolicy.Right.PUSH);
            UploadId id = uploadId(repo, m.group(2));
            switch (requireMethod(method, "GET", "PATCH", "PUT", "DELETE")) {
                case "GET" -> sendUploadStatus(c, 204, storage.uploadStatus(repo, id));
                case "PATCH" -> patchUpload(c, repo, id);
                case "PUT" -> putUpload(c, repo, id);
                default -> {
                    storage.cancelUpload(repo, id, c.audit());
                    sendEmpty(c, 204, Map.of());
                }
            }
        } else if ((m = BLOB.matcher(path)).matches()) {
            String verb = requireMethod(method, "GET", "HEAD", "DELETE");
            RepositoryName repo = authorize(c, m.group(1),
                    verb.equals("DELETE") ? AccessPolicy.Right.DELETE : AccessPolicy.Right.PULL);
            OciDigest digest = digest(m.group(2));
            if (verb.equals("DELETE")) {
                storage.deleteBlob(repo, digest, c.audit());
                sendEmpty(c, 202, Map.of());
            } else {
                getBlob(c, repo, digest);
            }
        } else if ((m = MANIFEST.matcher(path)).matches()) {
            String verb = requireMethod(method, "GET", "HEAD", "PUT", "DELETE");
            AccessPolicy.Right right = switch (verb) {
                case "PUT" -> AccessPolicy.Right.PUSH;
                case "DELETE" -> AccessPolicy.Right.DELETE;
                default -> AccessPolicy.Right.PULL;
            };
            RepositoryName repo = authorize(c, m.group(1), right);
            String reference = m.group(2);
            switch (verb) {
                case "PUT" -> putManifest(c, repo, reference);
                case "DELETE" -> deleteManifest(c, repo, reference);
                default -> getManifest(c, repo, reference);
            }
        } else if ((m = TAGS.matcher(path)).matches()) {
            requireMethod(method, "GET", "HEAD");
            listTags(c, authorize(c, m.group(1), AccessPolicy.Right.PULL));
        } else if ((m = REFERRERS.matcher(path)).matches()) {
            requireMethod(method, "GET", "HEAD");
            RepositoryName repo = authorize(c, m.group(1), AccessPolicy.Right.PULL);
            referrers(c, repo, digest(m.group(2)));
        } else {
            throw new ProtocolException(ErrorCode.UNSUPPORTED, 404, "no such endpoint: " + path, Map.of());
        }
    }

    private static String requireMethod(String method, String... allowed) throws ProtocolException {
        for (String a : allowed) {
            if (a.equals(method)) {
                return a;
            }
        }
        throw new ProtocolException(ErrorCode.UNSUPPORTED, 405, "method " + method + " is not allowed here",
                Map.of("Allow", String.join(", ", allowed)));
    }

    // ---- authentication and rights ----

    /** The user the request's credentials name, checked; anonymous without credentials; 401 for wrong ones. */
    private String authenticate(Request request) throws ProtocolException {
        String header = request.getHeaders().get("Authorization");
        if (header == null || !config.access().authenticates()) {
            return AuditContext.ANONYMOUS;
        }
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw unauthorized("only HTTP basic authentication is accepted");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(header.substring(6).strip());
        } catch (IllegalArgumentException e) {
            throw unauthorized("malformed basic credentials");
        }
        int colon = -1;
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= 0) {
            throw unauthorized("malformed basic credentials");
        }
        String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
        byte[] password = java.util.Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        java.util.Arrays.fill(decoded, (byte) 0);
        boolean ok = config.access().authenticate(user, password);
        java.util.Arrays.fill(password, (byte) 0);
        if (!ok) {
            throw unauthorized("wrong user name or password");
        }
        return user;
    }

    private static ProtocolException unauthorized(String message) {
        return new ProtocolException(ErrorCode.UNAUTHORIZED, 401, message,
                Map.of("WWW-Authenticate", "Basic realm=\"cairn\""));
    }

    /** The repository named, if the request may do that there: 401 for anonymous requests, 403 for users. */
    private RepositoryName authorize(Call c, String name, AccessPolicy.Right right) throws ProtocolException {
        RepositoryName repo = repository(name);
        String principal = c.audit().principal();
        if (!config.access().allows(principal, repo, right)) {
            if (principal.equals(AuditContext.ANONYMOUS)) {
                throw unauthorized("authentication required to " + right.name().toLowerCase(Locale.ROOT) + " " + repo);
            }
            throw new ProtocolException(ErrorCode.DENIED, principal + " may not "
                    + right.name().toLowerCase(Locale.ROOT) + " " + repo);
        }
        return repo;
    }

    // ---- parsing ----

    private static RepositoryName repository(String name) throws ProtocolException {
        if (!RepositoryName.isValid(name)) {
            throw new ProtocolException(ErrorCode.NAME_INVALID, "not a repository name: '" + name + "'");
        }
        return new RepositoryName(name);
    }

    /** A digest of the grammar whose content this server can verify (sha256, sha512). */
    private static OciDigest digest(String text) throws ProtocolException {
        OciDigest d;
        try {
            d = OciDigest.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.DIGEST_INVALID, e.getMessage());
        }
        if (!d.verifiable()) {
            throw new ProtocolException(ErrorCode.DIGEST_INVALID, "digest algorithm " + d.algorithm()
                    + " is not supported (use sha256 or sha512)");
        }
        return d;
    }

    private static UploadId uploadId(RepositoryName repo, String text) throws ProtocolException {
        if (!UploadId.isValid(text)) {
            throw new ProtocolException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + text + " is unknown to " + repo);
        }
        return new UploadId(text);
    }

    // ---- blobs ----

    private void getBlob(Call c, RepositoryName repo, OciDigest digest) throws IOException, ProtocolException {
        SeekableByteChannel ch = storage.openBlob(repo, digest);
        boolean handedOver = false;
        try {
            long size = ch.size();
            long start = 0;
            long length = size;
            int status = 200;
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Docker-Content-Digest", digest.toString());
            headers.put("Accept-Ranges", "bytes");
            headers.put("ETag", "\"" + digest + "\"");
            Optional<long[]> range = byteRange(c.header("Range"), size, headers);
            if (range.isPresent()) {
                start = range.get()[0];
                length = range.get()[1] - start + 1;
                status = 206;
                headers.put("Content-Range", "bytes " + start + "-" + range.get()[1] + "/" + size);
            }
            Response r = c.response();
            r.setStatus(status);
            headers.forEach(r.getHeaders()::put);
            r.getHeaders().put("Content-Type", "application/octet-stream");
            r.getHeaders().put("Content-Length", Long.toString(length));
            if (c.head()) {
                c.callback().succeeded();
                return;
            }
            if (config.auditReads()) {
                storage.recordRead(repo, digest.toString(), c.audit());
            }
            handedOver = true;
            if (ch instanceof FileChannel file) {
                new MappedWriter(file, start, length, r, closing(ch, c.callback())).iterate();
            } else {
                ByteBufferPool.Sized pool = new ByteBufferPool.Sized(
                        c.request().getComponents().getByteBufferPool(), true, BLOB_BUFFER);
                Content.copy(Content.Source.from(pool, ch, start, length), r, closing(ch, c.callback()));
            }
        } finally {
            if (!handedOver) {
                ch.close();
            }
        }
    }

    /**
     * The single range a {@code Range} header asks for, inclusive, or empty to send the whole blob (no header, a
     * form not understood, or several ranges: RFC 9110 lets a server ignore it).
     *
     * @throws ProtocolException 416 when the range starts past the end or ends before it starts
     */
    static Optional<long[]> byteRange(String header, long size, Map<String, String> headers) throws ProtocolException {
        if (header == null) {
            return Optional.empty();
        }
        Matcher m = BYTES_RANGE.matcher(header.strip());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return Optional.empty();
        }
        long first;
        long last;
        if (m.group(1).isEmpty()) {
            long suffix = Long.parseLong(m.group(2));
            if (suffix == 0) {
                throw rangeNotSatisfiable(size, headers);
            }
            first = Math.max(0, size - suffix);
            last = size - 1;
        } else {
            first = Long.parseLong(m.group(1));
            last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
            if (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first) {
                throw rangeNotSatisfiable(size, headers); // an invalid range (RFC 9110 14.1.1), as the conformance wants
            }
        }
        if (first >= size) {
            throw rangeNotSatisfiable(size, headers);
        }
        return Optional.of(new long[] {first, last});
    }

    private static ProtocolException rangeNotSatisfiable(long size, Map<String, String> headers) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("Content-Range", "bytes */" + size);
        return new ProtocolException(ErrorCode.BLOB_UNKNOWN, 416, "range not satisfiable: the blob has " + size
                + " bytes", h);
    }

    /**
     * Writes a range of a file to the response as memory-mapped slices of {@value #MAPPED_SLICE} bytes, each written
     * when the one before has gone: the kernel copies from the page cache to the socket, nothing passes through a
     * heap or pooled buffer. Safe because blob files are immutable once renamed into place (never truncated; a delete
     * unlinks, and the mapping keeps the bytes).
     */
    private static final class MappedWriter extends IteratingCallback {
        private final FileChannel file;
        private final long end;
        private final Response response;
        private final Callback done;
        private long position;

        MappedWriter(FileChannel file, long start, long length, Response response, Callback done) {
            this.file = file;
            this.position = start;
            this.end = start + length;
            this.response = response;
            this.done = done;
        }

        @Override
        protected Action process() throws IOException {
            if (position == end) {
                return Action.SUCCEEDED;
            }
            long n = Math.min(MAPPED_SLICE, end - position);
            ByteBuffer slice = file.map(FileChannel.MapMode.READ_ONLY, position, n);
            position += n;
            response.write(position == end, slice, this);
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteSuccess() {
            done.succeeded();
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            done.failed(cause);
        }
    }

    private static Callback closing(SeekableByteChannel ch, Callback callback) {
        return new Callback() {
            @Override
            public void succeeded() {
                closeQuietly(ch);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                closeQuietly(ch);
                callback.failed(x);
            }
        };
    }

    private static void closeQuietly(SeekableByteChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing more to do for a read channel
        }
    }

    // ---- uploads ----

    private void startUpload(Call c, RepositoryName repo) throws IOException, ProtocolException {
        Fields q = c.query();
        String mount = q.getValue("mount");
        if (mount != null) {
            OciDigest digest = digest(mount);
            Optional<RepositoryName> from = Optional.empty();
            boolean mayLook;
            String fromText = q.getValue("from");
            if (fromText != null) {
                from = Optional.of(repository(fromText));
                mayLook = config.access().allows(c.audit().principal(), from.get(), AccessPolicy.Right.PULL);
            } else {
                mayLook = config.access().allowsEverywhere(c.audit().principal(), AccessPolicy.Right.PULL);
            }
            if (mayLook) {
                Optional<BlobInfo> mounted = storage.mountBlob(repo, from, digest, c.audit());
                if (mounted.isPresent()) {
                    sendBlobCreated(c, repo, mounted.get());
                    return;
                }
            }
        }
        String algorithm = Optional.ofNullable(q.getValue("digest-algorithm")).orElse(OciDigest.SHA256);
        if (!algorithm.equals(OciDigest.SHA256) && !algorithm.equals(OciDigest.SHA512)) {
            throw new ProtocolException(ErrorCode.DIGEST_INVALID, "digest algorithm " + algorithm
                    + " is not supported (use sha256 or sha512)");
        }
        String monolithic = q.getValue("digest");
        OciDigest expected = monolithic == null ? null : digest(monolithic);
        if (storage.openUploads() >= config.maxOpenUploads()) {
            throw new ProtocolException(ErrorCode.TOOMANYREQUESTS, 429, config.maxOpenUploads()
                    + " uploads are open; finish or cancel some first", Map.of("Retry-After", "30"));
        }
        if (expected != null) {
            algorithm = expected.algorithm();
        }
        UploadStatus status = storage.startUpload(repo, algorithm, c.audit());
        if (expected == null) {
            sendUploadStatus(c, 202, status);
            return;
        }
        try (InputStream body = Request.asInputStream(c.request())) {
            storage.appendUpload(repo, status.id(), 0, body, c.request().getLength(), c.audit());
        } catch (IOException | RuntimeException e) {
            discardQuietly(repo, status.id(), c.audit());
            throw e;
        }
        sendBlobCreated(c, repo, storage.completeUpload(repo, status.id(), expected, c.audit()));
    }

    private void discardQuietly(RepositoryName repo, UploadId id, AuditContext audit) {
        try {
            storage.cancelUpload(repo, id, audit);
        } catch (IOException e) {
            // reclaimed as abandoned later
        }
    }

    private void patchUpload(Call c, RepositoryName repo, UploadId id) throws IOException, ProtocolException {
        UploadStatus after = appendBody(c, repo, id, true);
        sendUploadStatus(c, 202, after);
    }

    /**
     * Appends the request's body at the offset its {@code Content-Range} names, or where the session stands for a
     * streamed chunk. With {@code always} false a request without body appends nothing.
     */
    private UploadStatus appendBody(Call c, RepositoryName repo, UploadId id, boolean always)
            throws IOException, ProtocolException {
        long length = c.request().getLength();
        String contentRange = c.header("Content-Range");
        UploadStatus status = storage.uploadStatus(repo, id);
        long offset = status.offset();
        if (contentRange != null) {
            Matcher m = CONTENT_RANGE.matcher(contentRange.strip());
            if (!m.matches() || Long.parseLong(m.group(2)) < Long.parseLong(m.group(1))) {
                throw uploadRangeError(c, status, "Content-Range must be <first>-<last>, got '" + contentRange + "'");
            }
            long first = Long.parseLong(m.group(1));
            long chunk = Long.parseLong(m.group(2)) - first + 1;
            if (length >= 0 && length != chunk) {
                throw new ProtocolException(ErrorCode.SIZE_INVALID, "Content-Range names " + chunk
                        + " bytes, Content-Length says " + length);
            }
            offset = first;
            length = chunk;
        } else if (!always && length == 0) {
            return status;
        }
        try (InputStream body = Request.asInputStream(c.request())) {
            return storage.appendUpload(repo, id, offset, body, length, c.audit());
        } catch (UploadRangeException e) {
            throw uploadRangeError(c, e.status(), e.getMessage());
        }
    }

    private ProtocolException uploadRangeError(Call c, UploadStatus status, String message) {
        return new ProtocolException(ErrorCode.BLOB_UPLOAD_INVALID, 416, message, uploadHeaders(status));
    }

    private void putUpload(Call c, RepositoryName repo, UploadId id) throws IOException, ProtocolException {
        String digestText = c.query().getValue("digest");
        if (digestText == null) {
            throw new ProtocolException(ErrorCode.DIGEST_INVALID, "closing an upload needs ?digest=");
        }
        OciDigest digest = digest(digestText);
        appendBody(c, repo, id, false);
        sendBlobCreated(c, repo, storage.completeUpload(repo, id, digest, c.audit()));
    }

    private static Map<String, String> uploadHeaders(UploadStatus s) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Location", "/v2/" + s.repository() + "/blobs/uploads/" + s.id());
        // CNCF distribution's form: 0-0 for an empty session, else 0-<last byte held>.
        h.put("Range", "0-" + Math.max(0, s.offset() - 1));
        h.put("Docker-Upload-UUID", s.id().toString());
        return h;
    }

    private void sendUploadStatus(Call c, int status, UploadStatus s) {
        sendEmpty(c, status, uploadHeaders(s));
    }

    private void sendBlobCreated(Call c, RepositoryName repo, BlobInfo blob) {
        sendEmpty(c, 201, Map.of("Location", "/v2/" + repo + "/blobs/" + blob.digest(),
                "Docker-Content-Digest", blob.digest().toString()));
    }

    // ---- manifests ----

    private void putManifest(Call c, RepositoryName repo, String reference) throws IOException, ProtocolException {
        long declared = c.request().getLength();
        int max = config.maxManifestBytes();
        if (declared > max) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, 413, "manifest of " + declared
                    + " bytes is larger than the " + max + " accepted", Map.of());
        }
        byte[] bytes;
        try (InputStream in = Request.asInputStream(c.request())) {
            bytes = in.readNBytes(max + 1);
        }
        if (bytes.length > max) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, 413, "manifest is larger than the " + max
                    + " bytes accepted", Map.of());
        }
        String mediaType = mediaTypeOf(c.header("Content-Type"), bytes);
        ManifestDocument document;
        try {
            document = ManifestDocument.parse(bytes, mediaType);
        } catch (InvalidImageException | UnsupportedImageException e) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, e.getMessage());
        }
        OciDigest digest;
        List<Tag> tags = new ArrayList<>();
        if (Tag.isValid(reference)) {
            digest = OciDigest.sha256(bytes);
            tags.add(new Tag(reference));
        } else {
            OciDigest named = digest(reference);
            digest = hash(named.algorithm(), bytes);
            if (!digest.equals(named)) {
                throw new ProtocolException(ErrorCode.DIGEST_INVALID, "the manifest's " + named.algorithm()
                        + " digest is " + digest + ", not " + named);
            }
            List<String> tagParams = c.query().getValues("tag");
            for (String t : tagParams == null ? List.<String>of() : tagParams) {
                if (!Tag.isValid(t)) {
                    throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "not a tag: '" + t + "'");
                }
                tags.add(new Tag(t));
            }
        }
        storage.putManifest(repo, digest, document, tags, c.audit());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Location", "/v2/" + repo + "/manifests/" + digest);
        headers.put("Docker-Content-Digest", digest.toString());
        document.subject().ifPresent(s -> headers.put("OCI-Subject", s.digest().toString()));
        if (!Tag.isValid(reference) && !tags.isEmpty()) {
            headers.put("OCI-Tag", String.join(", ", tags.stream().map(Tag::value).toList()));
        }
        sendEmpty(c, 201, headers);
    }

    /** The pushed type: {@code Content-Type} without parameters, or the document's own {@code mediaType}. */
    private static String mediaTypeOf(String contentType, byte[] body) throws ProtocolException {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!type.isEmpty() && !type.equals("application/json") && !type.equals("application/octet-stream")) {
            return type;
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.path("mediaType").isTextual()) {
                return node.get("mediaType").asText();
            }
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "the manifest is not JSON: " + e.getMessage());
        }
        throw new ProtocolException(ErrorCode.MANIFEST_INVALID,
                "the manifest's media type is unknown: send it as Content-Type");
    }

    private static OciDigest hash(String algorithm, byte[] bytes) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm.equals(OciDigest.SHA512) ? "SHA-512" : "SHA-256");
            return new OciDigest(algorithm, HexFormat.of().formatHex(md.digest(bytes)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void getManifest(Call c, RepositoryName repo, String reference) throws IOException, ProtocolException {
        OciDigest digest;
        if (Tag.isValid(reference)) {
            digest = storage.resolveTag(repo, new Tag(reference))
                    .orElseThrow(() -> new ManifestUnknownException(repo, reference));
        } else {
            digest = digest(reference);
        }
        StoredManifest m = storage.getManifest(repo, digest)
                .orElseThrow(() -> new ManifestUnknownException(repo, reference));
        // Clients send one Accept line per type (Go's Header.Add): all of them count.
        List<String> accept = c.request().getHeaders().getValuesList("Accept");
        if (!acceptable(accept.isEmpty() ? null : String.join(",", accept), m.mediaType())) {
            throw new ProtocolException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " is "
                    + m.mediaType() + ", which the request's Accept header does not include");
        }
        if (!c.head() && config.auditReads()) {
            storage.recordRead(repo, Tag.isValid(reference) ? "tag:" + reference + " " + digest : digest.toString(),
                    c.audit());
        }
        Response r = c.response();
        r.setStatus(200);
        r.getHeaders().put("Content-Type", m.mediaType());
        r.getHeaders().put("Docker-Content-Digest", digest.toString());
        r.getHeaders().put("ETag", "\"" + digest + "\"");
        sendBody(c.request(), r, c.callback(), m.bytes());
    }

    /**
     * Whether a manifest of {@code mediaType} may answer a request with that {@code Accept}: no header, a wildcard
     * ({@code *}{@code /*}, {@code application/*}), or the type itself among the types not refused with {@code q=0}.
     * Nothing is converted: a client that accepts none of the types a manifest was pushed as gets 404, as from CNCF
     * distribution.
     */
    static boolean acceptable(String accept, String mediaType) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        for (String entry : accept.split(",")) {
            String[] parts = entry.split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            boolean refused = false;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip().replace(" ", "");
                if (p.matches("q=0(\\.0{0,3})?")) {
                    refused = true;
                }
            }
            if (!refused && (type.equals("*/*") || type.equals("application/*") || type.equals(mediaType))) {
                return true;
            }
        }
        return false;
    }

    private void deleteManifest(Call c, RepositoryName repo, String reference) throws IOException, ProtocolException {
        if (Tag.isValid(reference)) {
            storage.deleteTag(repo, new Tag(reference), c.audit());
        } else {
            storage.deleteManifest(repo, digest(reference), c.audit());
        }
        sendEmpty(c, 202, Map.of());
    }

    // ---- discovery ----

    private void listTags(Call c, RepositoryName repo) throws IOException, ProtocolException {
        Fields q = c.query();
        int n = MAX_TAGS_PAGE;
        String nText = q.getValue("n");
        if (nText != null) {
            try {
                n = Math.min(Integer.parseInt(nText), MAX_TAGS_PAGE);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0) {
                throw new ProtocolException(ErrorCode.UNSUPPORTED, 400, "n must be a non-negative integer, got '"
                        + nText + "'", Map.of());
            }
        }
        Optional<String> last = Optional.ofNullable(q.getValue("last"));
        List<Tag> tags = n == 0 ? List.of() : storage.listTags(repo, last, n + 1);
        if (n == 0) {
            storage.listTags(repo, Optional.empty(), 0); // the repository must exist all the same
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (tags.size() > n) {
            tags = tags.subList(0, n);
            headers.put("Link", "</v2/" + repo + "/tags/list?n=" + n + "&last=" + tags.get(n - 1) + ">; rel=\"next\"");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("name", repo.value());
        ArrayNode list = body.putArray("tags");
        tags.forEach(t -> list.add(t.value()));
        sendJson(c, 200, body, headers);
    }

    private void referrers(Call c, RepositoryName repo, OciDigest subject) throws IOException {
        String filter = c.query().getValue("artifactType");
        List<Descriptor> found = storage.referrers(repo, subject);
        Map<String, String> headers = new LinkedHashMap<>();
        if (filter != null) {
            found = found.stream().filter(d -> d.artifactType().filter(filter::equals).isPresent()).toList();
            headers.put("OCI-Filters-Applied", "artifactType");
        }
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Descriptor d : found) {
            ObjectNode n = manifests.addObject();
            n.put("mediaType", d.mediaType());
            n.put("digest", d.digest().toString());
            n.put("size", d.size());
            d.artifactType().ifPresent(t -> n.put("artifactType", t));
            if (!d.annotations().isEmpty()) {
                ObjectNode a = n.putObject("annotations");
                d.annotations().forEach(a::put);
            }
        }
        headers.put("Content-Type", MediaTypes.OCI_INDEX);
        sendJson(c, 200, index, headers);
    }

    // ---- responses ----

    private static void sendEmpty(Call c, int status, Map<String, String> headers) {
        Response r = c.response();
        r.setStatus(status);
        headers.forEach(r.getHeaders()::put);
        r.getHeaders().put("Content-Length", "0");
        c.callback().succeeded();
    }

    private static void sendJson(Call c, int status, ObjectNode body, Map<String, String> headers) {
        Response r = c.response();
        r.setStatus(status);
        r.getHeaders().put("Content-Type", "application/json");
        headers.forEach(r.getHeaders()::put);
        sendBody(c.request(), r, c.callback(), write(body));
    }

    /** Sends a whole body with its length (only the length for HEAD), completing the callback when written. */
    private static void sendBody(Request request, Response response, Callback callback, byte[] bytes) {
        response.getHeaders().put("Content-Length", Integer.toString(bytes.length));
        if ("HEAD".equals(request.getMethod())) {
            callback.succeeded();
        } else {
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }
    }

    private static byte[] write(ObjectNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode error(ErrorCode code, String message, ObjectNode detail) {
        ObjectNode e = JSON.createObjectNode();
        e.put("code", code.name());
        e.put("message", message == null ? "" : message);
        if (detail != null) {
            e.set("detail", detail);
        }
        return e;
    }

    private static void sendError(Request request, Response response, Callback callback, int status,
                                  List<ObjectNode> errors, Map<String, String> headers) {
        if (response.isCommitted()) {
            callback.failed(new IOException("failed after the response was committed: "
                    + errors.get(0).path("message").asText()));
            return;
        }
        response.setStatus(status);
        headers.forEach(response.getHeaders()::put);
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("errors");
        errors.forEach(list::add);
        response.getHeaders().put("Content-Type", "application/json");
        sendBody(request, response, callback, write(body));
    }

    /** The one place where storage outcomes become protocol errors. */
    private void fail(Call c, Exception e) {
        if (e instanceof EofException || e.getCause() instanceof EofException) {
            c.callback().failed(e); // the client went away: no one to answer
            return;
        }
        ErrorCode code = codeOf(e);
        int status = code.status;
        List<ObjectNode> errors = new ArrayList<>();
        Map<String, String> headers = Map.of();
        if (e instanceof BlobUnknownException x) {
            errors.add(error(code, x.getMessage(), digestDetail(x.digest())));
        } else if (e instanceof UploadRangeException x) {
            status = 416;
            headers = uploadHeaders(x.status());
        } else if (e instanceof ManifestBlobUnknownException x) {
            for (OciDigest d : x.missing()) {
                errors.add(error(code, "blob " + d + " is unknown to the repository", digestDetail(d)));
            }
        } else if (code == ErrorCode.UNKNOWN) {
            config.requestLog().ifPresent(log -> log.accept("error "
                    + (c.audit() == null ? "" : "id=" + c.audit().requestId() + " ") + e));
        }
        if (errors.isEmpty()) {
            errors.add(error(code, code == ErrorCode.UNKNOWN ? "internal error (see the server's log)" : e.getMessage(),
                    null));
        }
        sendError(c.request(), c.response(), c.callback(), status, errors, headers);
    }

    private static ErrorCode codeOf(Exception e) {
        if (e instanceof BlobUnknownException) {
            return ErrorCode.BLOB_UNKNOWN;
        } else if (e instanceof ManifestUnknownException) {
            return ErrorCode.MANIFEST_UNKNOWN;
        } else if (e instanceof RepositoryUnknownException) {
            return ErrorCode.NAME_UNKNOWN;
        } else if (e instanceof UploadUnknownException) {
            return ErrorCode.BLOB_UPLOAD_UNKNOWN;
        } else if (e instanceof UploadRangeException) {
            return ErrorCode.BLOB_UPLOAD_INVALID;
        } else if (e instanceof ManifestBlobUnknownException) {
            return ErrorCode.MANIFEST_BLOB_UNKNOWN;
        } else if (e instanceof DigestMismatchException) {
            return ErrorCode.DIGEST_INVALID;
        } else if (e instanceof SizeMismatchException) {
            return ErrorCode.SIZE_INVALID;
        } else if (e instanceof InvalidImageException || e instanceof UnsupportedImageException) {
            return ErrorCode.MANIFEST_INVALID;
        }
        return ErrorCode.UNKNOWN;
    }

    /**
     * Jetty's own error responses (a request it refuses before any handler, such as an ambiguous URI, or 503 while
     * stopping) in the spec's JSON form: {@code UNSUPPORTED} for 4xx, {@code UNKNOWN} for 5xx.
     */
    static final class JsonErrors implements Request.Handler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            Object message = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_MESSAGE);
            ErrorCode code = status >= 500 ? ErrorCode.UNKNOWN : ErrorCode.UNSUPPORTED;
            sendError(request, response, callback, status, List.of(error(code,
                    message == null ? "HTTP " + status : message.toString(), null)), Map.of());
            return true;
        }
    }

    private static ObjectNode digestDetail(OciDigest d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("digest", d.toString());
        return n;
    }

    private static void logLine(Consumer<String> log, Request request, Response response, String client,
                                String principal, String requestId, long started, Throwable failure) {
        String query = request.getHttpURI().getQuery();
        long ms = (System.nanoTime() - started) / 1_000_000;
        log.accept(client + " " + principal + " " + request.getMethod() + " " + request.getHttpURI().getPath()
                + (query == null ? "" : "?" + query) + " " + response.getStatus() + " "
                + Response.getContentBytesWritten(response) + "B " + ms + "ms id=" + requestId
                + (failure == null ? "" : " failed: " + failure));
    }
}
