package dev.cairn.store;

import java.nio.file.Path;

/**
 * A read-only query in a JVM of its own, for {@link ReadOnlyAtHeadTest}: {@code ROOT layers} prints
 * {@code LAYERS <count> <seq>}; {@code ROOT log} prints that and then {@code RECORDS <count>}, read from the journal.
 */
public final class ReadOnlyQueryChild {

    private ReadOnlyQueryChild() {
    }

    public static void main(String[] args) throws Exception {
        try (LayerStore store = LayerStore.openReadOnly(Path.of(args[0]), StoreOptions.defaults())) {
            System.out.println("LAYERS " + store.layers().size() + " " + store.lastSeq());
            if (args[1].equals("log")) {
                long n;
                try (var records = store.history(1)) {
                    n = records.count();
                }
                System.out.println("RECORDS " + n);
            }
        }
        System.out.flush();
    }
}
