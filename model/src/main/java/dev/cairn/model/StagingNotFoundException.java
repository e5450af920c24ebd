package dev.cairn.model;

/**
 * No usable staged diff has this id: never staged, cleaned up, discarded, or left unfinished by a process that died
 * (recovery discards it). A staging being worked on is {@link StagingInProgressException}, one already applied
 * {@link StagingAppliedException}.
 */
public final class StagingNotFoundException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final StagingId staging;

    public StagingNotFoundException(StagingId staging, String state) {
        super("staging " + staging + " is " + state);
        this.staging = staging;
    }

    public StagingId staging() {
        return staging;
    }
}
