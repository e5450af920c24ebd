package dev.cairn.model;

/**
 * The states of a layer in the crash protocol (DESIGN.md section 3). Only {@link #COMMITTED} layers are ever
 * visible to readers.
 */
public enum LayerState {
    /** {@code LayerCreated} is durable, {@code LayerCommitted} is not (yet): contents may be partial. */
    INCOMPLETE,
    /** {@code LayerCommitted} is durable: the layer exists. */
    COMMITTED,
    /** {@code LayerDeleteStarted} is durable: the layer is gone for readers; its files are being removed. */
    REMOVING
}
