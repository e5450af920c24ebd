package dev.cairn.cli;

import dev.cairn.registry.AccessPolicy;
import dev.cairn.registry.LayerStoreStorage;
import dev.cairn.registry.RegistryConfig;
import dev.cairn.registry.RegistryServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code cairn serve}: an OCI distribution registry (docs/REGISTRY.md). Prints the URL it serves on stdout, one line
 * per request on stderr, and runs until SIGTERM or SIGINT, which stop it gracefully.
 * It serves the store at the root ({@link LayerStoreStorage}): pushed blobs are the store's blobs, image manifests
 * become its image records, and every change is a journal record whose actor is the request's user and client.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves the OCI distribution API (a registry skopeo, podman and docker push to and pull from).",
                "Prints the URL on stdout and one line per request on stderr; SIGTERM stops it gracefully."})
final class ServeCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:5000",
            description = "Address to listen on (default ${DEFAULT-VALUE}; port 0 picks a free one).")
    String listen;

    @Option(names = "--auth", paramLabel = "HTPASSWD",
            description = "Require HTTP basic credentials from this htpasswd file (bcrypt: htpasswd -B).")
    Path htpasswd;

    @Option(names = "--access", paramLabel = "FILE",
            description = "Rights per repository pattern (see docs/REGISTRY.md); without it every user may do all.")
    Path access;

    @Option(names = "--anonymous-pull", paramLabel = "PATTERN",
            description = "Let requests without credentials pull repositories matching PATTERN (e.g. 'public/**').")
    List<String> anonymousPull = new ArrayList<>();

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve HTTPS with this certificate chain.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--audit-reads", description = "Record pulls too, not only pushes and deletes.")
    boolean auditReads;

    @Option(names = "--quiet", description = "No line per request on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (htpasswd == null && (access != null || !anonymousPull.isEmpty())) {
            throw new IllegalArgumentException("--access and --anonymous-pull need --auth");
        }
        RegistryConfig config = RegistryConfig.defaults().withListen(address(listen)).withAuditReads(auditReads);
        if (htpasswd != null) {
            config = config.withAccess(AccessPolicy.load(htpasswd, Optional.ofNullable(access), anonymousPull));
        }
        if (tlsCert != null) {
            config = config.withTls(tlsCert, tlsKey);
        }
        if (!quiet) {
            config = config.withRequestLog(line -> main.err().println(line));
        }
        Path dir = main.root();
        LayerStoreStorage storage = LayerStoreStorage.open(dir);
        RegistryServer server;
        try {
            server = RegistryServer.start(config, storage);
        } catch (Exception e) {
            storage.close();
            throw e;
        }
        Thread stopper = new Thread(() -> {
            try (storage; server) {
                main.err().println("cairn: stopping (requests in flight get "
                        + RegistryConfig.defaults().stopTimeout().toSeconds() + " s to finish)");
            } catch (Exception e) {
                main.err().println("cairn: stopping: " + Main.message(e));
            }
        }, "cairn-serve-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        if (htpasswd == null && !config.listen().getAddress().isLoopbackAddress()) {
            main.err().println("cairn: warning: serving " + listen + " without --auth: anyone who reaches it may"
                    + " push and delete");
        }
        main.err().println("cairn: serving " + dir + (htpasswd == null ? "" : " to the users of " + htpasswd));
        main.out().println(server.url());
        main.out().flush();
        server.join();
        return Main.OK;
    }

    /** {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT} (all addresses). */
    static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--listen wants HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen: not a port: '" + text.substring(colon + 1) + "'");
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
