package dev.cairn.cli;

import dev.cairn.store.LayerStore;
import dev.cairn.store.StoreOptions;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * A subcommand that works on the store named by {@code cairn --root}. Queries open it read-only (no lock, no
 * recovery, never a change); commands that change it open it for writing, which runs recovery first.
 */
abstract class StoreCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    /** Opens the store for a change. */
    final LayerStore openForWriting() throws IOException {
        return LayerStore.open(main.root());
    }

    /** Opens the store for queries only. */
    final LayerStore openForReading() throws IOException {
        return LayerStore.openReadOnly(main.root(), StoreOptions.defaults());
    }

    final PrintStream out() {
        return main.out();
    }

    /** What import, apply and create say when the layer existed already: kept, and which names it was given. */
    static String duplicateNote(dev.cairn.store.AppliedLayer applied) {
        return "layer " + applied.layer().id() + " exists already; " + (applied.addedNames().isEmpty()
                ? "kept unchanged" : "kept, with the names added: " + String.join(", ", applied.addedNames()));
    }

    /** A remark that is not the result: stderr, prefixed like errors, exit status unchanged. */
    final void note(String text) {
        main.err().println("cairn: " + text);
    }
}
