package dev.cairn.journal.tlog;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A note in the C2SP {@code signed-note} format (docs/PROOFS.md "Signed notes"): a text ending in a newline, an empty
 * line, and one or more signature lines {@code "— <key name> <base64(4-byte key id || signature)>\n"} (an em dash,
 * U+2014, and a space first). The whole note is UTF-8 with no control character but the newline; the text ends at
 * the last empty line. A note is believed only through {@link #verifiedText}, which needs a valid signature by the
 * key it is given and ignores signatures by other keys, as the format requires. Immutable.
 */
public final class SignedNote {

    /** Notes larger than this are refused unread. */
    static final int MAX_SIZE = 1 << 20;
    /** More signatures than this are refused (the format asks verifiers to accept at least 16). */
    static final int MAX_SIGNATURES = 100;
    private static final String DASH = "\u2014 ";

    /**
     * One signature line.
     *
     * @param name  the key name
     * @param keyId the key id
     * @param bytes the signature itself, without the key id
     */
    public record Signature(String name, int keyId, byte[] bytes) {
        public Signature {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** The line, with its newline. */
        String line() {
            byte[] all = ByteBuffer.allocate(4 + bytes.length).putInt(keyId).put(bytes).array();
            return DASH + name + " " + Base64.getEncoder().encodeToString(all) + "\n";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Signature s && s.name.equals(name) && s.keyId == keyId && Arrays.equals(s.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + keyId * 17 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return line().strip();
        }
    }

    private final String text;
    private final List<Signature> signatures;

    private SignedNote(String text, List<Signature> signatures) {
        this.text = text;
        this.signatures = List.copyOf(signatures);
    }

    /** A note of {@code text} (ending in a newline) with the given signatures. */
    static SignedNote of(String text, List<Signature> signatures) {
        return new SignedNote(text, signatures);
    }

    /**
     * Reads a signed note from its bytes, which must be valid UTF-8.
     *
     * @param source names the note for messages (a file name)
     * @throws MalformedNoteException if the bytes are not a signed note
     */
    public static SignedNote parse(byte[] note, String source) throws MalformedNoteException {
        if (note.length > MAX_SIZE) {
            throw new MalformedNoteException(source, "is " + note.length + " bytes; a signed note is at most "
                    + MAX_SIZE);
        }
        try {
            return parse(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(note)).toString(), source);
        } catch (CharacterCodingException e) {
            throw new MalformedNoteException(source, "is not valid UTF-8, so not a signed note");
        }
    }

    /**
     * Reads a signed note.
     *
     * @throws MalformedNoteException if the text is not a signed note
     */
    public static SignedNote parse(String note, String source) throws MalformedNoteException {
        for (int i = 0; i < note.length(); i++) {
            char c = note.charAt(i);
            if ((c < 0x20 && c != '\n') || c == 0x7F) {
                int line = (int) note.substring(0, i).chars().filter(ch -> ch == '\n').count() + 1;
                throw new MalformedNoteException(source, String.format("line %d holds control character 0x%02x; a "
                        + "signed note has none but the newline", line, (int) c));
            }
        }
        if (!note.endsWith("\n")) {
            throw new MalformedNoteException(source, "does not end with a newline, so it is not a signed note");
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw new MalformedNoteException(source, "has no empty line before its signatures, so it is not a "
                    + "signed note");
        }
        if (split + 2 == note.length()) {
            throw new MalformedNoteException(source, "has no signature lines after its empty line");
        }
        String text = note.substring(0, split + 1);
        String[] lines = note.substring(split + 2, note.length() - 1).split("\n", -1);
        if (lines.length > MAX_SIGNATURES) {
            throw new MalformedNoteException(source, "has " + lines.length + " signature lines; at most "
                    + MAX_SIGNATURES + " are read");
        }
        List<Signature> signatures = new ArrayList<>(lines.length);
        for (String line : lines) {
            signatures.add(signature(line, source));
        }
        return new SignedNote(text, signatures);
    }

    private static Signature signature(String line, String source) throws MalformedNoteException {
        if (!line.startsWith(DASH)) {
            throw new MalformedNoteException(source, "'" + Hashes.shorten(line) + "' is not a signature line "
                    + "(they start with an em dash, U+2014, and a space)");
        }
        String rest = line.substring(DASH.length());
        int space = rest.indexOf(' ');
        if (space <= 0 || space != rest.lastIndexOf(' ')) {
            throw new MalformedNoteException(source, "signature line '" + Hashes.shorten(line) + "' is not "
                    + "'— <key name> <signature>'");
        }
        String name = rest.substring(0, space);
        try {
            NoteVerifier.checkName(name);
        } catch (IllegalArgumentException e) {
            throw new MalformedNoteException(source, e.getMessage());
        }
        byte[] all;
        try {
            all = Base64.getDecoder().decode(rest.substring(space + 1));
        } catch (IllegalArgumentException e) {
            throw new MalformedNoteException(source, "the signature by " + name + " is not base64");
        }
        if (all.length < 5) {
            throw new MalformedNoteException(source, "the signature by " + name + " is " + all.length
                    + " bytes, too short for a key id and a signature");
        }
        return new Signature(name, ByteBuffer.wrap(all).getInt(), Arrays.copyOfRange(all, 4, all.length));
    }

    /** The signed text, ending in a newline. Not to be believed before {@link #verifiedText} accepted it. */
    public String text() {
        return text;
    }

    public List<Signature> signatures() {
        return signatures;
    }

    /**
     * The text, if this note carries a valid signature by {@code key}: some signature with the key's name and id
     * verifies, and none with them fails (a failing one means the text was changed). Signatures by other keys are
     * ignored.
     *
     * @param source names the note for messages
     * @throws UntrustedNoteException if there is no such signature
     */
    public String verifiedText(NoteVerifier key, String source) throws UntrustedNoteException {
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        boolean verified = false;
        for (Signature s : signatures) {
            if (s.name().equals(key.name()) && s.keyId() == key.keyId()) {
                if (!key.verifies(message, s.bytes)) {
                    throw new UntrustedNoteException(source, String.format("the signature by %s (key id %08x) does "
                            + "not verify: the note was changed after it was signed", key.name(), key.keyId()));
                }
                verified = true;
            }
        }
        if (!verified) {
            List<String> by = signatures.stream().map(s -> String.format("%s (key id %08x)", s.name(), s.keyId()))
                    .toList();
            throw new UntrustedNoteException(source, String.format("not signed by %s (key id %08x); signed by %s",
                    key.name(), key.keyId(), String.join(", ", by)));
        }
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedNote n && n.text.equals(text) && n.signatures.equals(signatures);
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + signatures.hashCode();
    }

    /** The note as text: the text, an empty line, the signature lines. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(text).append('\n');
        signatures.forEach(s -> b.append(s.line()));
        return b.toString();
    }
}
