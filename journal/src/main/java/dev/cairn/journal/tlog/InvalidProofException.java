package dev.cairn.journal.tlog;

import dev.cairn.model.CairnException;

/**
 * An inclusion or consistency proof does not prove what it claims: it is malformed for its sizes, or the root it
 * leads to is not the root it was checked against (RFC 9162 sections 2.1.3.2 and 2.1.4.2).
 */
public final class InvalidProofException extends CairnException {
    private static final long serialVersionUID = 1L;

    public InvalidProofException(String what) {
        super(what);
    }
}
