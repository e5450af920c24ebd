package dev.cairn.archive;

import dev.cairn.io.Posix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
        Syncer syncer = Syncer.create(ExtractOptions.DEFAULTS.toBuilder().fsyncParallelism(parallelism).syncfs(false).build(), temp);
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
        Syncer syncer = Syncer.create(ExtractOptions.DEFAULTS.toBuilder().syncfs(false).build(), temp);
        syncer.directoryDone(temp.resolve("gone"));

        assertThatThrownBy(syncer::finish).isInstanceOf(NoSuchFileException.class).hasMessageContaining("gone");
    }

    @Test
    void unsafe_no_sync_only_closes() throws IOException {
        Syncer syncer = Syncer.create(ExtractOptions.DEFAULTS.toBuilder().unsafeNoSync(true).build(), temp);
        FileChannel ch = FileChannel.open(Files.createFile(temp.resolve("x")), StandardOpenOption.WRITE);
        syncer.fileWritten(ch, temp.resolve("x"));
        syncer.directoryDone(temp.resolve("gone"));

        syncer.finish();

        assertThat(ch.isOpen()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void syncfs_mode_closes_every_file_and_syncs_once_at_the_end(int parallelism) throws IOException {
        assumeTrue(Posix.syncfsReportsErrors(), "syncfs reports writeback errors only on Linux 5.8 and later");
        Syncer syncer = Syncer.create(ExtractOptions.DEFAULTS.toBuilder().fsyncParallelism(parallelism).build(), temp);
        assertThat(syncer.mode()).isEqualTo(Syncer.Mode.SYNCFS);
        FileChannel[] channels = new FileChannel[Syncer.MAX_OPEN + 10];
        for (int i = 0; i < channels.length; i++) {
            Path p = temp.resolve("f" + i);
            channels[i] = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            syncer.fileWritten(channels[i], p);
        }
        syncer.directoryDone(temp.resolve("gone")); // not synced one by one, so not even looked at

        syncer.finish();
        syncer.syncFileSystem();

        assertThat(syncer.syncsEachFile()).isFalse();
        assertThat(channels).noneMatch(FileChannel::isOpen);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void a_layer_below_the_count_is_synced_file_by_file_in_syncfs_mode(int parallelism) throws IOException {
        assumeTrue(Posix.syncfsReportsErrors(), "syncfs reports writeback errors only on Linux 5.8 and later");
        Syncer syncer = Syncer.create(ExtractOptions.DEFAULTS.toBuilder().fsyncParallelism(parallelism)
                .syncfsMinFiles(5).build(), temp);
        FileChannel[] channels = new FileChannel[3];
        for (int i = 0; i < channels.length; i++) {
            Path p = temp.resolve("f" + i);
            channels[i] = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            syncer.fileWritten(channels[i], p);
        }
        assertThat(channels).allMatch(FileChannel::isOpen); // held, to be synced once the layer is known small
        syncer.directoryDone(temp);

        syncer.finish();

        assertThat(syncer.syncsEachFile()).isTrue();
        assertThat(channels).noneMatch(FileChannel::isOpen);
    }

    @Test
    void a_small_layers_failed_directory_sync_names_the_path_and_closes_every_file() throws IOException {
        assumeTrue(Posix.syncfsReportsErrors(), "syncfs reports writeback errors only on Linux 5.8 and later");
        Syncer syncer = Syncer.create(ExtractOptions.DEFAULTS.toBuilder().syncfsMinFiles(5).build(), temp);
        FileChannel ch = FileChannel.open(temp.resolve("x"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        syncer.fileWritten(ch, temp.resolve("x"));
        syncer.directoryDone(temp.resolve("gone"));

        assertThatThrownBy(syncer::finish).isInstanceOf(NoSuchFileException.class).hasMessageContaining("gone");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void reaching_the_count_with_files_or_directories_makes_it_a_syncfs_layer() throws IOException {
        assumeTrue(Posix.syncfsReportsErrors(), "syncfs reports writeback errors only on Linux 5.8 and later");
        Syncer byFiles = Syncer.create(ExtractOptions.DEFAULTS.toBuilder().syncfsMinFiles(3).build(), temp);
        FileChannel[] channels = new FileChannel[3];
        for (int i = 0; i < channels.length; i++) {
            Path p = temp.resolve("a" + i);
            channels[i] = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            byFiles.fileWritten(channels[i], p);
        }
        byFiles.finish();
        Syncer byDirectories = Syncer.create(ExtractOptions.DEFAULTS.toBuilder().syncfsMinFiles(3).build(), temp);
        FileChannel one = FileChannel.open(temp.resolve("b"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        byDirectories.fileWritten(one, temp.resolve("b"));
        byDirectories.directoryDone(temp.resolve("gone-1")); // not synced one by one once it is a syncfs layer
        byDirectories.directoryDone(temp.resolve("gone-2"));
        byDirectories.finish();

        assertThat(byFiles.syncsEachFile()).isFalse();
        assertThat(byDirectories.syncsEachFile()).isFalse();
        assertThat(channels).noneMatch(FileChannel::isOpen);
        assertThat(one.isOpen()).isFalse();
    }

    @Test
    void a_failed_syncfs_names_the_folder() throws IOException {
        assumeTrue(Posix.syncfsReportsErrors(), "syncfs reports writeback errors only on Linux 5.8 and later");
        Syncer syncer = Syncer.create(ExtractOptions.DEFAULTS.toBuilder().syncfsMinFiles(1).build(), temp.resolve("gone"));
        syncer.finish();

        assertThatThrownBy(syncer::syncFileSystem).isInstanceOf(IOException.class).hasMessageContaining("gone")
                .hasMessageContaining("syncfs");
    }

    @Test
    void without_syncfs_or_with_it_switched_off_each_file_is_synced() {
        assertThat(Syncer.create(ExtractOptions.DEFAULTS.toBuilder().syncfs(false).build(), temp).mode())
                .isEqualTo(Syncer.Mode.EACH_FILE);
        assertThat(Syncer.create(ExtractOptions.DEFAULTS.toBuilder().unsafeNoSync(true).build(), temp).mode())
                .isEqualTo(Syncer.Mode.NONE);
        assertThat(Syncer.create(ExtractOptions.DEFAULTS, temp).mode())
                .isEqualTo(Posix.syncfsReportsErrors() ? Syncer.Mode.SYNCFS : Syncer.Mode.EACH_FILE);
    }
}
