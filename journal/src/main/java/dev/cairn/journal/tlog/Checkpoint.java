package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;

import java.util.List;

/**
 * A transparency-log checkpoint in the C2SP {@code tlog-checkpoint} format: the body of a signed note naming a log,
 * the size of its Merkle tree and that tree's root (docs/PROOFS.md "Checkpoints"). The text is
 * <pre>
 * &lt;origin&gt;\n
 * &lt;tree size, ASCII decimal, no leading zeros&gt;\n
 * &lt;root hash, standard base64&gt;\n
 * &lt;extension line&gt;\n ...   (optional, each non-empty)
 * </pre>
 * For a Cairn journal the origin names the store (it is the signing key's name), the tree size is the number of
 * records (the last seq) and the root is the RFC 6962 root over their bytes. Immutable.
 *
 * @param origin     the log's identity: non-empty, one line, no control characters
 * @param size       the tree size, at least 0
 * @param rootHash   the root of the tree of that size
 * @param extensions extension lines (Cairn writes none), each non-empty and without control characters
 */
public record Checkpoint(String origin, long size, Digest rootHash, List<String> extensions) {

    public Checkpoint {
        requireLine(origin, "origin");
        if (size < 0) {
            throw new IllegalArgumentException("tree size must be >= 0, was " + size);
        }
        java.util.Objects.requireNonNull(rootHash, "rootHash");
        extensions = List.copyOf(extensions);
        extensions.forEach(e -> requireLine(e, "extension line"));
    }

    /** A checkpoint without extension lines. */
    public Checkpoint(String origin, long size, Digest rootHash) {
        this(origin, size, rootHash, List.of());
    }

    /** The note text: the lines above, each ending in a newline. */
    public String text() {
        StringBuilder b = new StringBuilder().append(origin).append('\n').append(size).append('\n')
                .append(Hashes.base64(rootHash)).append('\n');
        extensions.forEach(e -> b.append(e).append('\n'));
        return b.toString();
    }

    /**
     * Reads a checkpoint from a note's text (which must already have been checked against its signature).
     *
     * @param source names the text for messages (a file name)
     * @throws MalformedNoteException if it is not a checkpoint
     */
    public static Checkpoint parse(String text, String source) throws MalformedNoteException {
        if (!text.endsWith("\n")) {
            throw new MalformedNoteException(source, "checkpoint text does not end with a newline");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 3) {
            throw new MalformedNoteException(source, "a checkpoint has at least 3 lines (origin, tree size, root "
                    + "hash), this one " + lines.length);
        }
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                throw new MalformedNoteException(source, "line " + (i + 1) + " of the checkpoint is empty");
            }
        }
        if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
            throw new MalformedNoteException(source, "line 2 of the checkpoint, '" + Hashes.shorten(lines[1])
                    + "', is not a tree size (decimal, no leading zeros)");
        }
        long size;
        try {
            size = Long.parseLong(lines[1]);
        } catch (NumberFormatException e) {
            throw new MalformedNoteException(source, "tree size " + lines[1] + " is too large");
        }
        Digest root = Hashes.fromBase64(lines[2], source + ", line 3 of the checkpoint");
        try {
            return new Checkpoint(lines[0], size, root, List.of(lines).subList(3, lines.length));
        } catch (IllegalArgumentException e) {
            throw new MalformedNoteException(source, e.getMessage());
        }
    }

    private static void requireLine(String line, String what) {
        if (line == null || line.isEmpty()) {
            throw new IllegalArgumentException("the checkpoint's " + what + " is empty");
        }
        if (line.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw new IllegalArgumentException("the checkpoint's " + what + " '" + Hashes.shorten(line)
                    + "' holds a control character");
        }
    }
}
