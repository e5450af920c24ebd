package dev.cairn.model;

/** No staged diff with this id exists (never staged, unfinished, cleaned up or discarded). */
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
