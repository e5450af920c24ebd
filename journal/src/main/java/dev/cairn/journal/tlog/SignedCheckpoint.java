package dev.cairn.journal.tlog;

import java.util.Objects;

/**
 * A checkpoint and the signed note that carries it, as issued by {@link TransparencyLog#checkpoint} or read back
 * from a file with {@link #verify}. Immutable.
 *
 * @param checkpoint what the note says
 * @param note       the note; its text is {@code checkpoint.text()}
 */
public record SignedCheckpoint(Checkpoint checkpoint, SignedNote note) {

    public SignedCheckpoint {
        Objects.requireNonNull(checkpoint, "checkpoint");
        if (!note.text().equals(checkpoint.text())) {
            throw new IllegalArgumentException("the note's text is not the checkpoint's");
        }
    }

    /**
     * Reads a checkpoint from its signed note and checks it: the note carries a valid signature by {@code key}, its
     * text is a checkpoint, and the checkpoint's origin is the key's name (Cairn names its key after the origin).
     *
     * @param note   the note's bytes (UTF-8)
     * @param source names the note for messages, e.g. the file it came from
     * @throws MalformedNoteException if it is not a signed checkpoint
     * @throws UntrustedNoteException if no valid signature by {@code key} is on it, or it names another origin
     */
    public static SignedCheckpoint verify(byte[] note, NoteVerifier key, String source)
            throws MalformedNoteException, UntrustedNoteException {
        SignedNote parsed = SignedNote.parse(note, source);
        Checkpoint checkpoint = Checkpoint.parse(parsed.verifiedText(key, source), source);
        if (!checkpoint.origin().equals(key.name())) {
            throw new UntrustedNoteException(source, "the checkpoint is for origin " + checkpoint.origin()
                    + " but signed by key " + key.name() + ": it is another log's checkpoint");
        }
        return new SignedCheckpoint(checkpoint, parsed);
    }

    /** The note's text form, what a checkpoint file holds. */
    @Override
    public String toString() {
        return note.toString();
    }
}
