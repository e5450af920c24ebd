package dev.cairn.recovery;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The locks that tell a live saga from a dead one (DESIGN.md section 3), as recovery uses them. The store implements
 * it with OS file locks in {@code <root>/owners/}, which die with their process; tests implement it with a model.
 *
 * <p>The rule every user keeps: a decision about a saga is made while holding its owner's lock (or, for a saga
 * without an owner, the writers' lock), against the journal as of its head, read after the lock was taken. An owner
 * releases its lock only after its end event is durable, so a saga still open at the head, whose lock could be
 * taken, is dead.
 */
public interface SagaLocks {

    /** A lock this process holds; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;

        /** Releases it and removes the lock file: for the last saga that will ever use this lock name. */
        void closeAndForget() throws IOException;
    }

    /**
     * Takes the lock named {@code lock} if no live process holds it (this one included), making its file if needed.
     *
     * @return the held lock, or empty if a live process holds it: its saga is alive
     */
    Optional<Held> adopt(String lock) throws IOException;

    /** Whether a live process holds the lock {@code lock}; takes nothing and writes nothing (works read-only). */
    boolean alive(String lock) throws IOException;

    /** The writers' lock, waited for as the store's options say. */
    Held writers() throws IOException;

    /** The names of the lock files there are (for removing those of dead owners no saga needs any more). */
    List<String> lockFiles() throws IOException;

    /** Removes the lock files a process died while making (never put in place); one being made now stays. */
    void forgetUnfinishedLockFiles() throws IOException;
}
