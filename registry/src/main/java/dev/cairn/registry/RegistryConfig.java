package dev.cairn.registry;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How a {@link RegistryServer} runs: where it listens, TLS, who may do what, what is audited, and its limits. An
 * immutable value; start from {@link #defaults()} and change what differs with the {@code with…} methods.
 *
 * @param listen              address and port to bind ({@code 127.0.0.1:5000} by default; port 0 picks a free one)
 * @param tls                 the PEM certificate chain and private key to serve HTTPS with, or empty for plain HTTP
 * @param access              who may pull, push and delete ({@link AccessPolicy#open()} by default: anyone, anything)
 * @param auditReads          whether pulls (blob and manifest GETs) are recorded too, not only changes
 * @param maxManifestBytes    the largest manifest accepted (4 MiB; larger ones are refused with 413)
 * @param maxOpenUploads      upload sessions that may be open at once across all clients; past it a new one is
 *                            refused with 429 and {@code Retry-After}
 * @param uploadIdleTimeout   an upload no chunk has touched for this long is reclaimed (24 hours)
 * @param stopTimeout         how long a graceful stop waits for requests in flight before it cuts them (30 s)
 * @param maxThreads          the request threads (each streaming request holds one while it streams)
 * @param requestLog          receives one line per request (method, path, status, bytes, time, principal, request
 *                            id; never a credential), or nothing
 */
public record RegistryConfig(InetSocketAddress listen, Optional<Tls> tls, AccessPolicy access, boolean auditReads,
                             int maxManifestBytes, int maxOpenUploads, Duration uploadIdleTimeout,
                             Duration stopTimeout, int maxThreads, Optional<Consumer<String>> requestLog) {

    /** A certificate chain and its private key, each a PEM file as openssl writes them. */
    public record Tls(Path certificateChain, Path privateKey) {
        public Tls {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }

    public RegistryConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(uploadIdleTimeout, "uploadIdleTimeout");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        Objects.requireNonNull(requestLog, "requestLog");
        if (maxManifestBytes < 1 || maxOpenUploads < 1 || maxThreads < 8) {
            throw new IllegalArgumentException("limits must be positive (and at least 8 threads)");
        }
    }

    /** 127.0.0.1:5000, plain HTTP, open access, changes audited, 4 MiB manifests, 1,000 open uploads. */
    public static RegistryConfig defaults() {
        return new RegistryConfig(new InetSocketAddress("127.0.0.1", 5000), Optional.empty(), AccessPolicy.open(),
                false, 4 << 20, 1000, Duration.ofHours(24), Duration.ofSeconds(30), 200, Optional.empty());
    }

    public RegistryConfig withListen(InetSocketAddress a) {
        return new RegistryConfig(a, tls, access, auditReads, maxManifestBytes, maxOpenUploads, uploadIdleTimeout,
                stopTimeout, maxThreads, requestLog);
    }

    public RegistryConfig withTls(Path certificateChain, Path privateKey) {
        return new RegistryConfig(listen, Optional.of(new Tls(certificateChain, privateKey)), access, auditReads,
                maxManifestBytes, maxOpenUploads, uploadIdleTimeout, stopTimeout, maxThreads, requestLog);
    }

    public RegistryConfig withAccess(AccessPolicy a) {
        return new RegistryConfig(listen, tls, a, auditReads, maxManifestBytes, maxOpenUploads, uploadIdleTimeout,
                stopTimeout, maxThreads, requestLog);
    }

    public RegistryConfig withAuditReads(boolean on) {
        return new RegistryConfig(listen, tls, access, on, maxManifestBytes, maxOpenUploads, uploadIdleTimeout,
                stopTimeout, maxThreads, requestLog);
    }

    public RegistryConfig withMaxManifestBytes(int n) {
        return new RegistryConfig(listen, tls, access, auditReads, n, maxOpenUploads, uploadIdleTimeout, stopTimeout,
                maxThreads, requestLog);
    }

    public RegistryConfig withMaxOpenUploads(int n) {
        return new RegistryConfig(listen, tls, access, auditReads, maxManifestBytes, n, uploadIdleTimeout, stopTimeout,
                maxThreads, requestLog);
    }

    public RegistryConfig withUploadIdleTimeout(Duration d) {
        return new RegistryConfig(listen, tls, access, auditReads, maxManifestBytes, maxOpenUploads, d, stopTimeout,
                maxThreads, requestLog);
    }

    public RegistryConfig withStopTimeout(Duration d) {
        return new RegistryConfig(listen, tls, access, auditReads, maxManifestBytes, maxOpenUploads, uploadIdleTimeout,
                d, maxThreads, requestLog);
    }

    public RegistryConfig withRequestLog(Consumer<String> log) {
        return new RegistryConfig(listen, tls, access, auditReads, maxManifestBytes, maxOpenUploads, uploadIdleTimeout,
                stopTimeout, maxThreads, Optional.of(log));
    }
}
