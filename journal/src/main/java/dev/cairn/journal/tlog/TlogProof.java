package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * An offline-verifiable proof that a journal record is in a signed checkpoint, in the C2SP {@code tlog-proof@v1}
 * text format (docs/PROOFS.md "Proofs of one record"):
 * <pre>
 * c2sp.org/tlog-proof@v1
 * extra &lt;base64 of the record's bytes&gt;
 * index &lt;leaf index = seq - 1&gt;
 * &lt;base64 hash&gt;         one line per hash of the inclusion proof, the leaf's sibling first
 * ...
 *                        (an empty line)
 * &lt;the checkpoint's signed note, verbatim&gt;
 * </pre>
 * Cairn puts the record's bytes in the {@code extra} line, so the proof needs nothing else: the verifier hashes them
 * as the leaf (their meaning is in docs/JOURNAL.md). Immutable.
 *
 * @param leaf       the leaf's data (the record's bytes); null if the proof carries none
 * @param index      the leaf index
 * @param path       the inclusion proof's hashes
 * @param checkpoint the signed checkpoint the proof is for
 */
public record TlogProof(byte[] leaf, long index, List<Digest> path, SignedNote checkpoint) {

    static final String HEADER = "c2sp.org/tlog-proof@v1";

    public TlogProof {
        leaf = leaf == null ? null : leaf.clone();
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, was " + index);
        }
        path = List.copyOf(path);
        java.util.Objects.requireNonNull(checkpoint, "checkpoint");
    }

    @Override
    public byte[] leaf() {
        return leaf == null ? null : leaf.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlogProof p && Arrays.equals(p.leaf, leaf) && p.index == index && p.path.equals(path)
                && p.checkpoint.equals(checkpoint);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(leaf) * 31 + Long.hashCode(index) * 17 + path.hashCode() + checkpoint.hashCode();
    }

    /** The proof's text. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        if (leaf != null) {
            b.append("extra ").append(Base64.getEncoder().encodeToString(leaf)).append('\n');
        }
        b.append("index ").append(index).append('\n');
        path.forEach(h -> b.append(Hashes.base64(h)).append('\n'));
        return b.append('\n').append(checkpoint).toString();
    }

    /**
     * Reads a proof from its text.
     *
     * @param source names the text for messages
     * @throws MalformedNoteException if it is not a tlog proof
     */
    public static TlogProof parse(byte[] text, String source) throws MalformedNoteException {
        String s = new String(text, StandardCharsets.UTF_8);
        if (!Arrays.equals(s.getBytes(StandardCharsets.UTF_8), text)) {
            throw new MalformedNoteException(source, "is not valid UTF-8, so not a tlog proof");
        }
        int blank = s.indexOf("\n\n");
        if (!s.startsWith(HEADER + "\n") || blank < 0) {
            throw new MalformedNoteException(source, "is not a tlog proof: it starts with '" + HEADER
                    + "', then an index line, hashes, an empty line and the checkpoint");
        }
        String[] lines = s.substring(0, blank).split("\n", -1);
        int at = 1;
        byte[] leaf = null;
        if (at < lines.length && lines[at].startsWith("extra ")) {
            try {
                leaf = Base64.getDecoder().decode(lines[at].substring("extra ".length()));
            } catch (IllegalArgumentException e) {
                throw new MalformedNoteException(source, "the extra line of the tlog proof is not base64");
            }
            at++;
        }
        if (at >= lines.length || !lines[at].matches("index (0|[1-9][0-9]{0,18})")) {
            throw new MalformedNoteException(source, "line " + (at + 1) + " of the tlog proof is not 'index <n>'");
        }
        long index;
        try {
            index = Long.parseLong(lines[at].substring("index ".length()));
        } catch (NumberFormatException e) {
            throw new MalformedNoteException(source, "the index of the tlog proof is too large");
        }
        List<Digest> path = new ArrayList<>();
        for (int i = at + 1; i < lines.length; i++) {
            path.add(Hashes.fromBase64(lines[i], source + ", line " + (i + 1) + " of the tlog proof"));
        }
        SignedNote checkpoint = SignedNote.parse(s.substring(blank + 2), source + " (its checkpoint)");
        return new TlogProof(leaf, index, path, checkpoint);
    }

    /**
     * Checks the proof: the checkpoint carries a valid signature by {@code key} and names its origin, and the leaf
     * carried in the proof is leaf {@link #index} of the checkpoint's tree.
     *
     * @return the checkpoint the record is proven to be in
     * @throws MalformedNoteException if the checkpoint is not one, or the proof carries no leaf
     * @throws UntrustedNoteException if the checkpoint is not signed by {@code key}
     * @throws InvalidProofException  if the inclusion proof fails
     */
    public Checkpoint verify(NoteVerifier key, String source) throws MalformedNoteException, UntrustedNoteException,
            InvalidProofException {
        if (leaf == null) {
            throw new MalformedNoteException(source, "the tlog proof carries no record (no extra line)");
        }
        Checkpoint c = SignedCheckpoint.verify(checkpoint.toString().getBytes(StandardCharsets.UTF_8), key, source)
                .checkpoint();
        if (index >= c.size()) {
            throw new InvalidProofException("the tlog proof is for leaf " + index + " but its checkpoint's tree has "
                    + c.size() + " leaves");
        }
        new InclusionProof(index, c.size(), path).verifyLeaf(leaf, c.rootHash());
        return c;
    }
}
