package dev.cairn.store;

/**
 * Who an embedding program acts for in one call, and why: what {@link LayerStore#as(Caller)} journals with every
 * record of the calls made through it, beside this process's user, host and pid (the journal's {@code Actor}), and
 * what {@code cairn log} shows and {@code cairn log --actor} matches. Immutable.
 *
 * @param principal the user or service the program acts for (a registry's authenticated user), or null
 * @param requestId the id of the request that led to the call, or null
 * @param client    where the request came from, as the program saw it (a registry's client address), or null
 * @param reason    why, in a few words ("push library/alpine:3.20", "gc: unreferenced for 7d"), or null
 */
public record Caller(String principal, String requestId, String client, String reason) {

    /** The longest field, in characters: a record holds at most 64 KiB. */
    public static final int MAX_LENGTH = 1024;

    /**
     * @throws IllegalArgumentException if a field is empty, longer than {@value #MAX_LENGTH} characters, or holds a
     *                                  control character (a line break would break {@code cairn log}'s lines)
     */
    public Caller {
        check("principal", principal);
        check("requestId", requestId);
        check("client", client);
        check("reason", reason);
    }

    /** A caller without a client address. */
    public Caller(String principal, String requestId, String reason) {
        this(principal, requestId, null, reason);
    }

    /** A caller known by its principal only. */
    public static Caller principal(String principal) {
        return new Caller(principal, null, null, null);
    }

    public Caller withRequestId(String id) {
        return new Caller(principal, id, client, reason);
    }

    public Caller withClient(String address) {
        return new Caller(principal, requestId, address, reason);
    }

    public Caller withReason(String why) {
        return new Caller(principal, requestId, client, why);
    }

    private static void check(String field, String value) {
        if (value == null) {
            return;
        }
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a caller's " + field + " is 1 to " + MAX_LENGTH + " characters, not "
                    + value.length());
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a caller's " + field + " may not hold control characters: "
                    + value.replaceAll("\\p{Cntrl}", "?"));
        }
    }
}
