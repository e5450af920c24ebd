package dev.cairn.journal;

import dev.cairn.io.DurableFiles;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes what a batch wrote into the queue durable (docs/JOURNAL.md, "Durability"): an fsync of each cycle file it
 * touched — on Linux that writes the file's dirty mapped pages too, so no msync is needed — and, the first time this
 * journal meets a file, an fsync of the queue's metadata file and of the directory, so that a new file's name
 * survives a crash as well as its bytes.
 *
 * <p>Owned by the committer thread (not thread-safe), except {@link #count()}.
 */
final class CycleFileSync implements Closeable {

    /** Open handles kept for fsync; beyond this many (old days' files) they are all closed and reopened as needed. */
    private static final int MAX_OPEN = 4;

    private final Path dir;
    private final Map<Path, FileChannel> channels = new HashMap<>();
    /** Files whose directory entry is known durable. */
    private final Set<Path> durableEntries = new HashSet<>();
    private final AtomicLong syncs = new AtomicLong();

    CycleFileSync(Path dir) {
        this.dir = dir;
    }

    /**
     * fsyncs each of {@code touched}, then the metadata file and the directory if one of them is new to this journal.
     *
     * @return whether a file's directory entry was made durable here for the first time
     */
    boolean sync(Set<Path> touched) throws IOException {
        boolean newEntry = false;
        for (Path file : touched) {
            FileChannel channel = channels.get(file);
            if (channel == null) {
                if (channels.size() >= MAX_OPEN) {
                    closeChannels();
                }
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                channels.put(file, channel);
            }
            channel.force(true);
            syncs.incrementAndGet();
            newEntry |= durableEntries.add(file);
        }
        if (newEntry) {
            syncMetadata(dir);
        }
        return newEntry;
    }

    /** fsync of the queue's metadata file (if there is one yet) and of the directory. */
    static void syncMetadata(Path dir) throws IOException {
        Path metadata = dir.resolve(QueueFiles.METADATA_FILE);
        if (Files.exists(metadata)) {
            try (FileChannel channel = FileChannel.open(metadata, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }
        DurableFiles.syncDir(dir);
    }

    /** How many fsyncs of cycle files this has made; for tests of group commit. Thread-safe. */
    long count() {
        return syncs.get();
    }

    @Override
    public void close() {
        closeChannels();
    }

    private void closeChannels() {
        for (FileChannel channel : channels.values()) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a handle used only for fsync: nothing is lost with it
            }
        }
        channels.clear();
    }
}
