package dev.cairn.store;

import dev.cairn.model.Layer;

import java.util.List;

/**
 * The result of applying a staged diff or creating a layer.
 *
 * @param layer      the layer now in the store
 * @param duplicate  true when a layer with that id already existed and was returned (the ErrDuplicateID case of
 *                   containers/storage, which its callers treat as success); it is unchanged but for
 *                   {@code addedNames}, and a staged diff stays for the caller to clean up
 * @param addedNames for a duplicate: the names asked for that it did not have, now added to it (containers/storage
 *                   itself ignores them on this path, and containers/image adds them after it with
 *                   {@code AddNames}; Cairn does it in the same call, so none is ever dropped). Empty otherwise
 */
public record AppliedLayer(Layer layer, boolean duplicate, List<String> addedNames) {

    public AppliedLayer {
        addedNames = List.copyOf(addedNames);
    }

    /** A layer made or found, with no names added. */
    public AppliedLayer(Layer layer, boolean duplicate) {
        this(layer, duplicate, List.of());
    }
}
