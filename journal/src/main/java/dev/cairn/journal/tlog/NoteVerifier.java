package dev.cairn.journal.tlog;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * An Ed25519 verifier key of the C2SP {@code signed-note} format (docs/PROOFS.md "Keys"), written
 * <pre>
 * &lt;key name&gt;+&lt;key id, 8 lowercase hex&gt;+&lt;base64(0x01 || 32-byte Ed25519 public key)&gt;
 * </pre>
 * where the key id is the first four bytes, big-endian, of {@code SHA-256(name || 0x0A || 0x01 || public key)}.
 * The name of a store's key is its checkpoint origin. Immutable and thread-safe.
 */
public final class NoteVerifier {

    /** The signed-note signature type of Ed25519. */
    static final byte ED25519 = 0x01;
    private static final Pattern HEX8 = Pattern.compile("[0-9a-f]{8}");

    private final String name;
    private final int keyId;
    private final byte[] publicKey;
    private final PublicKey key;

    private NoteVerifier(String name, byte[] publicKey, PublicKey key) {
        this.name = name;
        this.publicKey = publicKey.clone();
        this.key = key;
        this.keyId = keyId(name, publicKey);
    }

    /** The verifier of the Ed25519 key {@code publicKey} (32 raw bytes) under {@code name}. */
    static NoteVerifier of(String name, byte[] publicKey) throws InvalidKeySpecException {
        checkName(name);
        return new NoteVerifier(name, publicKey, Ed25519.publicKey(publicKey));
    }

    /**
     * Reads a verifier key in its text form.
     *
     * @param source names the text for messages (a file name, "--key")
     * @throws MalformedNoteException if it is not an Ed25519 verifier key whose id matches its name and key
     */
    public static NoteVerifier parse(String vkey, String source) throws MalformedNoteException {
        String text = vkey.strip();
        String[] parts = text.split("\\+", 3);
        if (parts.length != 3) {
            throw new MalformedNoteException(source, "a verifier key is <name>+<key id>+<key>, not '"
                    + Hashes.shorten(text) + "'");
        }
        String name = parts[0];
        try {
            checkName(name);
        } catch (IllegalArgumentException e) {
            throw new MalformedNoteException(source, e.getMessage());
        }
        if (!HEX8.matcher(parts[1]).matches()) {
            throw new MalformedNoteException(source, "key id '" + Hashes.shorten(parts[1])
                    + "' is not 8 lowercase hex digits");
        }
        byte[] material;
        try {
            material = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new MalformedNoteException(source, "the key part of the verifier key is not base64");
        }
        if (material.length != 1 + Ed25519.KEY_SIZE || material[0] != ED25519) {
            throw new MalformedNoteException(source, "the verifier key is not an Ed25519 key (type "
                    + (material.length == 0 ? "none" : String.format("0x%02x", material[0])) + ", "
                    + material.length + " bytes; want type 0x01 and 33 bytes)");
        }
        byte[] raw = java.util.Arrays.copyOfRange(material, 1, material.length);
        NoteVerifier v;
        try {
            v = new NoteVerifier(name, raw, Ed25519.publicKey(raw));
        } catch (InvalidKeySpecException e) {
            throw new MalformedNoteException(source, "the verifier key's 32 bytes are not an Ed25519 public key");
        }
        int given = Integer.parseUnsignedInt(parts[1], 16);
        if (given != v.keyId) {
            throw new MalformedNoteException(source, String.format("key id %08x does not match the name and key "
                    + "(they give %08x): the key text was changed", given, v.keyId));
        }
        return v;
    }

    /** The key name. */
    public String name() {
        return name;
    }

    /** The 32-bit key id. */
    public int keyId() {
        return keyId;
    }

    /** The raw 32-byte Ed25519 public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Whether {@code signature} (without the key id) is this key's signature of {@code message}. */
    boolean verifies(byte[] message, byte[] signature) {
        return Ed25519.verify(key, message, signature);
    }

    /** The text form, {@code <name>+<hex id>+<base64 key>}. */
    @Override
    public String toString() {
        byte[] material = new byte[1 + Ed25519.KEY_SIZE];
        material[0] = ED25519;
        System.arraycopy(publicKey, 0, material, 1, Ed25519.KEY_SIZE);
        return name + "+" + HexFormat.of().toHexDigits(keyId) + "+" + Base64.getEncoder().encodeToString(material);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteVerifier v && v.name.equals(name) && java.util.Arrays.equals(v.publicKey, publicKey);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + java.util.Arrays.hashCode(publicKey);
    }

    /** The signed-note key id of an Ed25519 key. */
    static int keyId(String name, byte[] publicKey) {
        var sha = dev.cairn.model.Digest.newSha256();
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
        sha.update(ED25519);
        sha.update(publicKey);
        return ByteBuffer.wrap(sha.digest()).getInt();
    }

    /**
     * A key name of the signed-note format: non-empty, no Unicode white space, no '+'; Cairn also refuses control
     * characters (the name is the checkpoint's origin line too).
     */
    static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a key name must not be empty");
        }
        if (name.codePoints().anyMatch(c -> c == '+' || Character.isWhitespace(c) || Character.isSpaceChar(c)
                || Character.isISOControl(c))) {
            throw new IllegalArgumentException("key name '" + Hashes.shorten(name) + "' holds a space, a control "
                    + "character or a '+'");
        }
    }
}
