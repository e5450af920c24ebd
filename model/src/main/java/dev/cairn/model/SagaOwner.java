package dev.cairn.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who runs a saga (DESIGN.md section 3): the process and host, for people, and the name of the lock that proves it
 * alive, for recovery. The owner holds an OS file lock on {@code <root>/owners/<lock>} from before the saga's start
 * event until after its end event is durable; the kernel drops it when the process dies. So a saga whose lock is free,
 * judged against the journal's head, is a dead one. Each saga has its own lock name, never used again.
 *
 * @param lock 32 lowercase hex characters: a lock file name, safe as a path segment
 * @param pid  the owning process
 * @param host the host it runs on
 */
public record SagaOwner(String lock, long pid, String host) {

    private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");

    public SagaOwner {
        if (!isLockName(lock)) {
            throw new IllegalArgumentException("not a saga lock name: '" + lock + "' (want 32 lowercase hex characters)");
        }
        Objects.requireNonNull(host, "host");
    }

    /** Whether {@code text} has the form of a lock name. */
    public static boolean isLockName(String text) {
        return text != null && HEX32.matcher(text).matches();
    }

    /** A new owner for a saga of the process {@code actor} names, with a fresh lock name. */
    public static SagaOwner fresh(Actor actor) {
        return new SagaOwner(dev.cairn.model.internal.RandomHex.of(16), actor.pid(), actor.host());
    }

    /** The owner of a stage: its lock is named by the staging id. */
    public static SagaOwner ofStaging(StagingId staging, long pid, String host) {
        return new SagaOwner(staging.hex(), pid, host);
    }

    @Override
    public String toString() {
        return "process " + pid + " on " + host;
    }
}
