package dev.cairn.model;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Who caused an event: the OS user, host and process, plus what an embedding program says on behalf of its own
 * caller (principal, request id). {@code principal} and {@code requestId} may be null.
 */
public record Actor(String user, String host, long pid, String principal, String requestId) {

    public Actor {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
    }

    private static final class Current {
        static final Actor PROCESS = new Actor(System.getProperty("user.name", "?"), hostName(),
                ProcessHandle.current().pid(), null, null);

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
        return new Actor(user, host, pid, principal, requestId);
    }
}
