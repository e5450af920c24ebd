package dev.cairn.model;

import java.util.List;

/**
 * An id prefix matched more than one layer, so which one was meant is not known; the caller must give more of the
 * id. Nothing was changed.
 */
public final class AmbiguousLayerException extends CairnException {
    private static final long serialVersionUID = 1L;
    /** How many candidates the message lists before it says how many more there are. */
    private static final int LISTED = 5;
    private final String prefix;
    private final List<LayerId> candidates;

    /**
     * @param prefix     the prefix asked for, as given (with {@code sha256:} if it had it)
     * @param candidates every layer it matches, in id order (at least two)
     */
    public AmbiguousLayerException(String prefix, List<LayerId> candidates) {
        super("layer id prefix '" + prefix + "' is ambiguous: it matches " + candidates.size() + " layers ("
                + String.join(", ", candidates.stream().limit(LISTED).map(LayerId::hex).toList())
                + (candidates.size() > LISTED ? ", and " + (candidates.size() - LISTED) + " more" : "")
                + "); give more of the id");
        this.prefix = prefix;
        this.candidates = List.copyOf(candidates);
    }

    /** The prefix that was asked for. */
    public String prefix() {
        return prefix;
    }

    /** Every layer the prefix matches, in id order. */
    public List<LayerId> candidates() {
        return candidates;
    }
}
