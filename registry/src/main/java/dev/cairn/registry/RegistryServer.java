package dev.cairn.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An OCI distribution registry serving a {@link RegistryStorage}: Jetty 12 (core handlers, no servlet layer) on one
 * HTTP/1.1 connector, plain or TLS. Start it with {@link #start}; {@link #close()} stops it gracefully.
 *
 * <pre>{@code
 * try (RegistryStorage storage = LayerStoreStorage.open(storeRoot);
 *      RegistryServer server = RegistryServer.start(RegistryConfig.defaults().withListen(addr), storage)) {
 *     server.join();
 * }
 * }</pre>
 *
 * <p><b>Graceful stop</b> ({@link #close()}, and what {@code cairn serve} does on SIGTERM): the listener closes, new
 * requests on open connections get 503, requests in flight get up to {@link RegistryConfig#stopTimeout()} to finish;
 * then the rest are cut. A cut upload keeps its durable offset (storage never counts bytes it did not make durable),
 * so the client resumes it after the restart; a cut manifest push stored nothing or all. The storage is not closed:
 * it belongs to the caller.
 *
 * <p>Also runs the reclaiming of abandoned uploads: at start and then every quarter of
 * {@link RegistryConfig#uploadIdleTimeout()} (at most hourly). Thread-safe.
 */
public final class RegistryServer implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;
    private final ScheduledExecutorService reclaimer;
    private final boolean tls;

    private RegistryServer(Server server, ServerConnector connector, ScheduledExecutorService reclaimer, boolean tls) {
        this.server = server;
        this.connector = connector;
        this.reclaimer = reclaimer;
        this.tls = tls;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException if the address cannot be bound or the TLS files cannot be read
     */
    public static RegistryServer start(RegistryConfig config, RegistryStorage storage) throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool(config.maxThreads(), 8);
        threads.setName("cairn-registry");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Blobs stream through in large reads: a 128 KiB input buffer hands uploads over in chunks 16 times the
        // default's, so a GB-sized PATCH costs fewer wake-ups of the thread that writes it to storage.
        HttpConnectionFactory h1 = new HttpConnectionFactory(http);
        h1.setInputBufferSize(128 * 1024);
        ServerConnector connector;
        if (config.tls().isPresent()) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(Pem.keyStore(config.tls().get().certificateChain(), config.tls().get().privateKey()));
            ssl.setKeyStorePassword(new String(Pem.PASSWORD));
            http.addCustomizer(new SecureRequestCustomizer(false));
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), h1);
        } else {
            connector = new ServerConnector(server, h1);
        }
        InetSocketAddress listen = config.listen();
        connector.setHost(listen.getHostString());
        connector.setPort(listen.getPort());
        connector.setIdleTimeout(120_000);
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(new RegistryHandler(storage, config)));
        server.setErrorHandler(new RegistryHandler.JsonErrors());
        server.setStopTimeout(config.stopTimeout().toMillis());
        ScheduledExecutorService reclaimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-upload-reclaimer");
            t.setDaemon(true);
            return t;
        });
        try {
            server.start();
        } catch (IOException e) {
            reclaimer.shutdownNow();
            stopQuietly(server);
            throw e;
        } catch (Exception e) {
            reclaimer.shutdownNow();
            stopQuietly(server);
            throw new IOException("cannot start the registry on " + listen + ": " + e.getMessage(), e);
        }
        long periodMs = Math.max(1000, Math.min(config.uploadIdleTimeout().toMillis() / 4, 3_600_000));
        reclaimer.scheduleWithFixedDelay(() -> reclaim(storage, config), 0, periodMs, TimeUnit.MILLISECONDS);
        return new RegistryServer(server, connector, reclaimer, config.tls().isPresent());
    }

    private static void reclaim(RegistryStorage storage, RegistryConfig config) {
        try {
            List<UploadId> gone = storage.reclaimUploads(Instant.now().minus(config.uploadIdleTimeout()),
                    AuditContext.system("reclaim-" + Instant.now()));
            if (!gone.isEmpty()) {
                config.requestLog().ifPresent(log -> log.accept("reclaimed " + gone.size() + " abandoned upload(s)"));
            }
        } catch (IOException | RuntimeException e) {
            config.requestLog().ifPresent(log -> log.accept("reclaiming abandoned uploads failed: " + e));
        }
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            // the start failure is the one to report
        }
    }

    /** The port it listens on (the one picked, if the config said 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:5000}. */
    public String url() {
        String host = connector.getHost() == null ? "0.0.0.0" : connector.getHost();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return (tls ? "https" : "http") + "://" + host + ":" + port();
    }

    /** Waits until the server has stopped. */
    public void join() throws InterruptedException {
        server.join();
    }

    /** Stops gracefully (see the class comment); idempotent. */
    @Override
    public void close() throws IOException {
        reclaimer.shutdownNow();
        try {
            server.stop();
        } catch (Exception e) {
            if (!server.isRunning() && timedOut(e)) {
                return; // requests still in flight at the stop timeout were cut, as documented
            }
            throw e instanceof IOException io ? io : new IOException("stopping the registry: " + e, e);
        }
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
            for (Throwable s : t.getSuppressed()) {
                if (timedOut(s)) {
                    return true;
                }
            }
        }
        return false;
    }
}
