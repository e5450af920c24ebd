package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;

import java.util.Base64;

/** The text form of tree hashes: standard base64 (RFC 4648 section 4), as checkpoints and proofs write them. */
final class Hashes {

    private Hashes() {
    }

    static String base64(Digest hash) {
        return Base64.getEncoder().encodeToString(hash.bytes());
    }

    /**
     * Parses a base64 SHA-256 hash.
     *
     * @param source names the text for the message (e.g. "line 3 of the checkpoint")
     * @throws MalformedNoteException if it is not the base64 of exactly 32 bytes
     */
    static Digest fromBase64(String text, String source) throws MalformedNoteException {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedNoteException(source, "'" + shorten(text) + "' is not base64");
        }
        if (raw.length != Rfc6962.HASH_SIZE || !Base64.getEncoder().encodeToString(raw).equals(text)) {
            throw new MalformedNoteException(source, "'" + shorten(text) + "' is not the base64 of a 32-byte hash");
        }
        return Digest.ofBytes(raw);
    }

    /** Text for a message: at most 80 characters. */
    static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
