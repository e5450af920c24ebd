package dev.cairn.model;

/**
 * Told how far a long piece of work has come (a checkout, a deep verify), from the thread doing it, often: it must be
 * cheap. A listener may end the work by throwing an unchecked exception; the work then cleans up as after any other
 * failure and the exception reaches the caller.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Listens to nothing. */
    ProgressListener NONE = (done, total) -> { };

    /**
     * @param done  units done so far (entries, bytes: each caller says which)
     * @param total units in all
     */
    void progress(long done, long total);
}
