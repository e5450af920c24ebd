package dev.cairn.archive;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One layer of a chain as it lies in a store: the folder its entries were extracted into and its {@link Manifest}.
 * The manifest is the truth for metadata (owners, device numbers, xattrs, which extraction as non-root could not
 * apply); the folder gives the contents of regular files.
 *
 * @param diff     the extracted entries, e.g. {@code <root>/layers/<id>/diff}
 * @param manifest the layer's manifest, e.g. {@code <root>/layers/<id>/manifest}
 */
public record ChainLayer(Path diff, Path manifest) {
    public ChainLayer {
        Objects.requireNonNull(diff, "diff");
        Objects.requireNonNull(manifest, "manifest");
    }
}
