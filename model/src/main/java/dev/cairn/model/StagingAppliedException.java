package dev.cairn.model;

/** The staging was applied already, as {@link #layer()}; it can only be cleaned up. Nothing was changed. */
public final class StagingAppliedException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final StagingId staging;
    private final LayerId layer;

    public StagingAppliedException(StagingId staging, LayerId layer) {
        super("staging " + staging + " was already applied as layer " + layer);
        this.staging = staging;
        this.layer = layer;
    }

    public StagingId staging() {
        return staging;
    }

    /** The layer it became. */
    public LayerId layer() {
        return layer;
    }
}
