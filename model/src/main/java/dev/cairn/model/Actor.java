package dev.cairn.model;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Who caused an event: the OS user, host and process, plus what an embedding program says on behalf of its own
 * caller — the {@code principal} it acts for, the {@code requestId} of the call, the caller's network address
 * ({@code client}: a registry's client) and a free-text {@code reason}. Those four may be null; records written
 * before {@code client} or {@code reason} existed read back with them null. (The journal's JSON of an actor, and
 * which Cairn added which key: docs/JOURNAL.md, "Actor".)
 */
public record Actor(String user, String host, long pid, String principal, String requestId, String client,
                    String reason) {

    public Actor {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
    }

    /** An actor without a client address or a reason, as every actor was before those. */
    public Actor(String user, String host, long pid, String principal, String requestId) {
        this(user, host, pid, principal, requestId, null, null);
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

    /** A copy that names the embedding program's caller; client and reason are kept. */
    public Actor onBehalfOf(String principal, String requestId) {
        return new Actor(user, host, pid, principal, requestId, client, reason);
    }

    /** A copy with the caller's network address (a registry's client). */
    public Actor withClient(String client) {
        return new Actor(user, host, pid, principal, requestId, client, reason);
    }

    /** A copy with why the caller asked. */
    public Actor withReason(String reason) {
        return new Actor(user, host, pid, principal, requestId, client, reason);
    }

    /** Whether {@code text} is exactly this actor's user, principal or request id (what {@code cairn log --actor} asks). */
    public boolean isNamedBy(String text) {
        return text.equals(user) || text.equals(principal) || text.equals(requestId);
    }
}
