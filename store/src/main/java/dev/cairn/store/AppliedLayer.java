package dev.cairn.store;

import dev.cairn.model.Layer;

/**
 * The result of applying a staged diff or creating a layer.
 *
 * @param layer     the layer now in the store
 * @param duplicate true when a layer with that id already existed and was returned unchanged (the ErrDuplicateID
 *                  case of containers/storage, which its callers treat as success); the staged diff then stays
 *                  for the caller to clean up
 */
public record AppliedLayer(Layer layer, boolean duplicate) {
}
