package dev.cairn.store;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/**
 * What a user who may not write (part of) a store would try, in its own JVM so that the test can run it without
 * root's power to ignore permissions: {@code DeniedChild ROOT}. Prints one line per attempt, {@code open OK 3} or
 * {@code put FAILED AccessDeniedException: <message>}, and goes on to the next attempt either way.
 */
public final class DeniedChild {

    private DeniedChild() {
    }

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        attempt("open", () -> {
            try (LayerStore s = LayerStore.open(root)) {
                return Integer.toString(s.layers().size());
            }
        });
        attempt("read", () -> {
            try (LayerStore s = LayerStore.openReadOnly(root, StoreOptions.defaults())) {
                return Integer.toString(s.layers().size());
            }
        });
        attempt("put", () -> {
            try (LayerStore s = LayerStore.open(root)) {
                return s.put(new ByteArrayInputStream(TestTars.layer(99, 5)), LayerSpec.base()).layer().id().hex();
            }
        });
        System.out.flush();
    }

    private interface Attempt {
        String run() throws Exception;
    }

    private static void attempt(String what, Attempt a) {
        String line;
        try {
            line = what + " OK " + a.run();
        } catch (Exception | Error e) {
            line = what + " FAILED " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        System.out.println(line.replace('\n', '|'));
        System.out.flush();
    }
}
