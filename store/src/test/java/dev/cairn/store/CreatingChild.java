package dev.cairn.store;

import java.nio.file.Path;

/**
 * A child process for the subscription tests: {@code CreatingChild ROOT COUNT PREFIX} opens the store and creates
 * COUNT empty layers named PREFIX-1 … PREFIX-COUNT (two records each), saying {@code made NAME} after each, then exits 0.
 */
public final class CreatingChild {

    private CreatingChild() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        try (LayerStore store = LayerStore.open(root)) {
            for (int i = 1; i <= count; i++) {
                store.create(LayerSpec.base().withName(args[2] + "-" + i));
                System.out.println("made " + args[2] + "-" + i);
                System.out.flush();
            }
        }
        System.exit(0);
    }
}
