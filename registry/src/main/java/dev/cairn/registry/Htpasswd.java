package dev.cairn.registry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * An htpasswd file of bcrypt hashes, as {@code htpasswd -B} writes it and CNCF distribution reads it: one
 * {@code user:hash} a line, {@code $2y$}, {@code $2b$} or {@code $2a$} hashes; blank lines and {@code #} comments
 * skipped. Any other hash kind (MD5 {@code $apr1$}, SHA-1, crypt) is refused when the file is loaded, naming the line,
 * rather than silently locking the user out. bcrypt is Bouncy Castle's {@code OpenBSDBCrypt}.
 *
 * <p>A password is checked with bcrypt (its cost, e.g. 5 for {@code htpasswd -B}, 10+ for production files, decides
 * how long); an unknown user costs the same as a wrong password. A success is remembered for {@link #REMEMBER_NANOS}
 * as an HMAC of the password under a key made at random for this process (never the password), so that a client
 * sending its credentials with each of a push's requests pays bcrypt once. Passwords over bcrypt's 72 bytes are
 * refused. Thread-safe.
 */
final class Htpasswd {

    /** How long a verified user and password are taken as verified again without bcrypt: one minute. */
    static final long REMEMBER_NANOS = 60_000_000_000L;

    /** A valid hash no password matches, checked for unknown users so that they take as long as known ones. */
    private static final String DUMMY = "$2y$05$m0j9Kx7mO3fOW9i9T7Q/reZC5xtHbjKKC.vpeJSP9XcxHSD.S3pZG";

    private final Map<String, String> hashes;
    private final byte[] macKey = new byte[32];
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

    private record Remembered(byte[] mac, long until) {
    }

    private Htpasswd(Map<String, String> hashes) {
        this.hashes = hashes;
        new SecureRandom().nextBytes(macKey);
    }

    /** Reads the file. @throws IOException naming the file and line of an entry that is not {@code user:bcrypt} */
    static Htpasswd load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String where = file + " line " + (i + 1);
            if (colon <= 0) {
                throw new IOException(where + ": not user:hash");
            }
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            if (!hash.matches("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
                throw new IOException(where + ": the hash of user " + user + " is not bcrypt (make it with htpasswd -B)");
            }
            if (hashes.put(user, hash) != null) {
                throw new IOException(where + ": user " + user + " is there twice");
            }
        }
        return new Htpasswd(hashes);
    }

    /** Whether the user is in the file. */
    boolean knows(String user) {
        return hashes.containsKey(user);
    }

    /** Whether the password is the user's. An unknown user is false, after the time a check takes. */
    boolean verify(String user, byte[] password) {
        String hash = hashes.get(user);
        if (password.length > 72) {
            return false;
        }
        Optional<char[]> chars = utf8(password);
        if (chars.isEmpty()) {
            return false;
        }
        byte[] mac = mac(user, password);
        Remembered r = remembered.get(user);
        long now = System.nanoTime();
        if (hash != null && r != null && now - r.until() < 0 && MessageDigest.isEqual(r.mac(), mac)) {
            return true;
        }
        boolean ok;
        try {
            ok = OpenBSDBCrypt.checkPassword(hash != null ? hash : DUMMY, chars.get()) && hash != null;
        } catch (IllegalArgumentException e) {
            ok = false;
        } finally {
            Arrays.fill(chars.get(), '\0');
        }
        if (ok) {
            remembered.put(user, new Remembered(mac, now + REMEMBER_NANOS));
        }
        return ok;
    }

    private byte[] mac(String user, byte[] password) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(macKey, "HmacSHA256"));
            m.update(user.getBytes(StandardCharsets.UTF_8));
            m.update((byte) 0);
            return m.doFinal(password);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("the JVM has no HmacSHA256", e);
        }
    }

    private static Optional<char[]> utf8(byte[] bytes) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            char[] chars = new char[cb.remaining()];
            cb.get(chars);
            return Optional.of(chars);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
