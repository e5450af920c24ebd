package dev.cairn.model;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Who caused an event: the OS user, host and process, plus what an embedding program says on behalf of its own
 * caller (principal, request id, and the caller's network address, {@code client}: a registry's client). {@code
 * principal}, {@code requestId} and {@code client} may be null; records written before {@code client} existed read
 * back with it null.
 */
public record Actor(String user, String host, long pid, String principal, String requestId, String client) {

    public Actor {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
    }

    /** An actor without a client address. */
    public Actor(String user, String host, long pid, String principal, String requestId) {
        this(user, host, pid, principal, requestId, null);
    }

    private static final class Current {
        static final Actor PROCESS = new Actor(System.getProperty("user.name", "?"), hostName(),
                ProcessHandle.current().pid(), null, null, null);

        private static String hostName() {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env;
            }
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                return "localhost";
            }
        }
    }

    /** This process, with no principal. */
    public static Actor process() {
        return Current.PROCESS;
    }

    /** A copy that names the embedding program's caller. */
    public Actor onBehalfOf(String principal, String requestId) {
        return new Actor(user, host, pid, principal, requestId, client);
    }

    /** A copy that names the embedding program's caller and the address it came from. */
    public Actor onBehalfOf(String principal, String requestId, String client) {
        return new Actor(user, host, pid, principal, requestId, client);
    }
}
