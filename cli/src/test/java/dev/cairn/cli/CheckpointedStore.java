package dev.cairn.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

/** The fixture of the proof commands' tests: a store of a few layers and a checkpoint of it kept in a file. */
abstract class CheckpointedStore {

    @TempDir
    Path dir;
    /** The checkpoint kept when the store had {@link #layers()} layers. */
    Path kept;

    /** How many layers (two records each) the store has when the checkpoint is taken. */
    abstract int layers();

    Path store() {
        return dir.resolve("store");
    }

    @BeforeEach
    void storeWithACheckpoint() throws IOException {
        kept = CliRun.storeWithCheckpoint(store(), layers());
    }
}
