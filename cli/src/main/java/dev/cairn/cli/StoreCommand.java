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
        return openForWriting(StoreOptions.defaults());
    }

    /** Opens the store for a change, with these options. */
    final LayerStore openForWriting(StoreOptions options) throws IOException {
        return LayerStore.open(main.root(), options);
    }

    /** Opens the store for queries only. */
    final LayerStore openForReading() throws IOException {
        return openForReading(StoreOptions.defaults());
    }

    /** Opens the store for queries only, with these options. */
    final LayerStore openForReading(StoreOptions options) throws IOException {
        return LayerStore.openReadOnly(main.root(), options);
    }

    final PrintStream out() {
        return main.out();
    }

    /** What import, apply and create say when the layer existed already: kept, and which names it was given. */
    static String duplicateNote(dev.cairn.store.AppliedLayer applied) {
        return "layer " + applied.layer().id() + " exists already; " + (applied.addedNames().isEmpty()
                ? "kept unchanged" : "kept, with the names added: " + String.join(", ", applied.addedNames()));
    }

    /**
     * Says on stderr what {@code import -} and {@code stage -} wait for when stdin is a terminal (someone typed the
     * command without a pipe), so that the wait is not taken for a hang.
     */
    final void waitingNote(LayerInput input) {
        if (input.stdin() && main.stdinIsTerminal()) {
            note("waiting for a layer tarball on stdin, which is a terminal: pipe one in (cairn " + spec().name()
                    + " - < layer.tar), or press Ctrl-D to end, Ctrl-C to stop");
        }
    }

    private picocli.CommandLine.Command spec() {
        return getClass().getAnnotation(picocli.CommandLine.Command.class);
    }

    /** A remark that is not the result: stderr, prefixed like errors, exit status unchanged. */
    final void note(String text) {
        main.err().println("cairn: " + text);
    }
}
