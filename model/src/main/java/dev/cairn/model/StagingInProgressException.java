package dev.cairn.model;

/**
 * The staging is being worked on by a live process: still being extracted ({@code StagingStarted} without
 * {@code DiffStaged}), or being applied or cleaned up. Nothing was changed; try again later.
 */
public final class StagingInProgressException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final StagingId staging;
    private final long ownerPid;
    private final String ownerHost;

    public StagingInProgressException(StagingId staging, String doing, long ownerPid, String ownerHost) {
        super("staging " + staging + " is still being " + doing + " by process " + ownerPid + " on " + ownerHost);
        this.staging = staging;
        this.ownerPid = ownerPid;
        this.ownerHost = ownerHost;
    }

    public StagingId staging() {
        return staging;
    }

    /** The process working on it. */
    public long ownerPid() {
        return ownerPid;
    }

    public String ownerHost() {
        return ownerHost;
    }
}
