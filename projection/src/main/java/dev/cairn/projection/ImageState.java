package dev.cairn.projection;

/**
 * The states of an image in the crash protocol (docs/STORE.md, the image sagas). Only {@link #COMMITTED} images are
 * ever visible to readers; in every state an image holds its layers (none can be deleted) and its blobs (none is
 * removed as unused).
 */
public enum ImageState {
    /** {@code ImageCreated} is durable, {@code ImageCommitted} is not (yet): its blobs may be partly in place. */
    INCOMPLETE,
    /** {@code ImageCommitted} is durable: the image exists. */
    COMMITTED,
    /** {@code ImageDeleteStarted} is durable: the image is gone for readers; the blobs only it held are being removed. */
    REMOVING
}
