package dev.cairn.registry;

import dev.cairn.store.Caller;
import java.util.Objects;

/**
 * Who asked for a change, carried by every mutating call of {@link RegistryStorage} (and by
 * {@link RegistryStorage#recordRead} for audited pulls): the authenticated user ({@value #ANONYMOUS} when the request
 * carried no credentials), the client's address as the server saw it, and the request id the server echoed to the
 * client in {@code X-Request-Id}. A store journals it as the actor's principal, request id and client
 * ({@link #caller()}), so {@code cairn log --actor alice} answers what alice pushed. Never holds a credential.
 * Immutable and thread-safe.
 */
public record AuditContext(String principal, String clientAddress, String requestId) {

    /** The principal of a request without credentials. */
    public static final String ANONYMOUS = "anonymous";

    public AuditContext {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(requestId, "requestId");
    }

    /** A context for work this process does on its own behalf (reclaiming abandoned uploads, say). */
    public static AuditContext system(String requestId) {
        return new AuditContext("cairn", "local", requestId);
    }

    /**
     * Who the store journals the change as ({@code store.as(audit.caller())}): {@link #principal()} with
     * {@link #requestId()} and {@link #clientAddress()}, beside this process's user, host and pid.
     */
    public Caller caller() {
        return new Caller(principal, requestId, clientAddress, null);
    }
}
