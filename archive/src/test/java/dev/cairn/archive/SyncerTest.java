package dev.cairn.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyncerTest {

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4})
    void every_handed_over_channel_is_closed_by_finish(int parallelism) throws IOException {
        Syncer syncer = Syncer.create(ExtractOptions.DEFAULTS.toBuilder().fsyncParallelism(parallelism).build());
        FileChannel[] channels = new FileChannel[Syncer.MAX_OPEN + 10];
        for (int i = 0; i < channels.length; i++) {
            Path p = temp.resolve("f" + i);
            channels[i] = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            syncer.fileWritten(channels[i], p);
        }
        syncer.directoryDone(temp);

        syncer.finish();

        assertThat(channels).noneMatch(FileChannel::isOpen);
    }

    @Test
    void a_failed_directory_sync_names_the_path() throws IOException {
        Syncer syncer = Syncer.create(ExtractOptions.DEFAULTS);
        syncer.directoryDone(temp.resolve("gone"));

        assertThatThrownBy(syncer::finish).isInstanceOf(NoSuchFileException.class).hasMessageContaining("gone");
    }

    @Test
    void unsafe_no_sync_only_closes() throws IOException {
        Syncer syncer = Syncer.create(ExtractOptions.DEFAULTS.toBuilder().unsafeNoSync(true).build());
        FileChannel ch = FileChannel.open(Files.createFile(temp.resolve("x")), StandardOpenOption.WRITE);
        syncer.fileWritten(ch, temp.resolve("x"));
        syncer.directoryDone(temp.resolve("gone"));

        syncer.finish();

        assertThat(ch.isOpen()).isFalse();
    }
}
