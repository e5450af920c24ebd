package dev.cairn.cli;

/**
 * How commands describe the layer references they take (DESIGN.md section 8, REF): the store resolves them
 * ({@code LayerStore.layer}); these are the words {@code --help} uses for them.
 */
final class LayerRefs {

    /** One layer named on the command line. */
    static final String ONE = "The layer: its id, a unique prefix of it (4 or more hex characters, sha256: allowed) "
            + "or one of its names.";

    /** Several layers named on the command line. */
    static final String SEVERAL = "The layers, each by its id, a unique prefix of it (4 or more hex characters, "
            + "sha256: allowed) or one of its names.";

    private LayerRefs() {
    }
}
