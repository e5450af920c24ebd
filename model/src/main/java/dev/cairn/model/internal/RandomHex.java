package dev.cairn.model.internal;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Random names (ids, lock names, temporary files) as lower-case hex, from one {@link SecureRandom} made when the
 * first is asked for: making it starts the JDK's security providers (~0.01 s of a command's start), which a process
 * that names nothing new, such as a query, no longer pays for. It lives in the model, the module that every one of
 * its users may reach (DESIGN.md section 1). Thread-safe.
 */
public final class RandomHex {

    private RandomHex() {
    }

    private static final class Source {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    /** {@code bytes} random bytes as {@code 2 * bytes} lower-case hex digits. */
    public static String of(int bytes) {
        byte[] b = new byte[bytes];
        Source.RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
