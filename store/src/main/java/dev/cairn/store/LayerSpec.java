package dev.cairn.store;

import dev.cairn.model.Digest;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerNames;

import java.util.List;
import java.util.Optional;

/**
 * What to call a layer being applied or created, and where it goes. Immutable; start from {@link #base()} or
 * {@link #on(String)}.
 *
 * @param id             an explicit id; empty for the default (for a diff the id containers/image gives it,
 *                       {@link LayerId#forDiff}; random for an empty layer)
 * @param parent         the id or name of the parent layer; empty for a base layer
 * @param names          names to give it; each must be free
 * @param metadata       free text
 * @param expectedDiffId the DiffID the caller expects; a staged diff with another one is refused
 */
public record LayerSpec(Optional<LayerId> id, Optional<String> parent, List<String> names, String metadata,
                        Optional<Digest> expectedDiffId) {

    public LayerSpec {
        names = LayerNames.checkAll(names);
        metadata = metadata == null ? "" : metadata;
    }

    /** A base layer with the default id, no names. */
    public static LayerSpec base() {
        return new LayerSpec(Optional.empty(), Optional.empty(), List.of(), "", Optional.empty());
    }

    /** A layer on top of {@code parentIdOrName}. */
    public static LayerSpec on(String parentIdOrName) {
        return base().withParent(parentIdOrName);
    }

    public LayerSpec withId(LayerId i) {
        return new LayerSpec(Optional.of(i), parent, names, metadata, expectedDiffId);
    }

    public LayerSpec withParent(String p) {
        return new LayerSpec(id, Optional.ofNullable(p), names, metadata, expectedDiffId);
    }

    public LayerSpec withNames(List<String> n) {
        return new LayerSpec(id, parent, n, metadata, expectedDiffId);
    }

    public LayerSpec withName(String n) {
        return withNames(java.util.stream.Stream.concat(names.stream(), java.util.stream.Stream.of(n)).toList());
    }

    public LayerSpec withMetadata(String m) {
        return new LayerSpec(id, parent, names, m, expectedDiffId);
    }

    public LayerSpec expectingDiffId(Digest d) {
        return new LayerSpec(id, parent, names, metadata, Optional.of(d));
    }
}
