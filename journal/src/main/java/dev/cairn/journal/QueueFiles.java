package dev.cairn.journal;

import dev.cairn.io.DurableFiles;
import dev.cairn.model.JournalCorruptedException;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The Chronicle Queue directory that holds a journal (docs/JOURNAL.md, "On disk"), opened with the journal's
 * settings, and what Cairn knows about its files that Chronicle does not say:
 * <ul>
 *   <li>the cycle files ({@code YYYYMMDDF.cq4}, one per UTC day), each of which must start with a sound store
 *   header — Chronicle meets a bad one by waiting ~10 s and setting the file aside as {@code *.discard}, losing its
 *   records, so the header is checked first and a bad one refused, leaving the file in place;
 *   <li>{@code *.discard} files, which mean lost records and are refused;
 *   <li>where a Chronicle index is, in words, for messages: cycle, sequence and file;
 *   <li>how many documents Chronicle counts in each cycle, readable or not.
 * </ul>
 * Thread-safe: the queue is shared by the journal's committer, its head and its cursors, each with its own
 * appender or tailer.
 */
final class QueueFiles implements Closeable {

    static final String CYCLE_SUFFIX = ".cq4";
    static final String METADATA_FILE = "metadata.cq4t";
    static final RollCycle ROLL_CYCLE = RollCycles.FAST_DAILY;
    /**
     * Chronicle's mapping unit. Small, so that reserving the space behind the next block before each batch (see
     * {@link SpaceReservation}) costs little; Chronicle's default of 64 MiB would reserve 64 MiB per cycle file.
     */
    static final long BLOCK_SIZE = 256 << 10;

    static {
        // Chronicle takes documents of at most a quarter of its block size (its "overlap"); measured, not documented
        assert BLOCK_SIZE / 4 >= Journal.MAX_RECORD_BYTES : "Chronicle's block size is too small for the records";
    }
    /** Beside the journal directory while {@link JournalRepair} builds the repaired journal. */
    static final String REPAIRING_SUFFIX = ".repairing";

    private static final String DISCARD_SUFFIX = ".discard";
    /**
     * Chronicle's clock where the caller gives none; null for the system clock. A seam for tests of layers above the
     * journal (they cannot reach {@link ChronicleJournal#open(Path, TimeProvider)}) that need records in several cycle
     * files, such as archiving; nothing in production sets it.
     */
    static volatile TimeProvider defaultClock;
    /** What a cycle file's first document starts with: Chronicle's binary-wire field name "header". */
    private static final byte[] STORE_HEADER_NAME = {(byte) 0xB9, 6, 'h', 'e', 'a', 'd', 'e', 'r'};

    private final Path dir;
    private final SingleChronicleQueue queue;
    /** Cycle number to cycle file, filled as cycles are met. */
    private final Map<Integer, Path> cycleFiles = new ConcurrentHashMap<>();

    private QueueFiles(Path dir, SingleChronicleQueue queue) {
        this.dir = dir;
        this.queue = queue;
    }

    /**
     * Opens the queue in {@code dir} (a real path) after refusing what Chronicle would mishandle: a {@code *.discard}
     * file, a cycle file with a bad store header ({@link #checkCycleFileHeaders}; a writer's open removes the cycle
     * file a dead creator left unfinished). The caller holds the append lock, exclusively unless {@code readOnly}.
     *
     * @param time Chronicle's clock; null for the system clock (tests move it a day to get a new cycle file)
     */
    static QueueFiles open(Path dir, TimeProvider time, boolean readOnly) throws IOException {
        refuseDiscardedFiles(dir);
        checkCycleFileHeaders(dir, !readOnly);
        return new QueueFiles(dir, build(dir, time, readOnly));
    }

    /** The Chronicle queue in {@code dir} as the journal configures it, without any check. */
    static SingleChronicleQueue build(Path dir, TimeProvider time, boolean readOnly) throws IOException {
        try {
            SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(dir.toFile())
                    .rollCycle(ROLL_CYCLE)
                    .blockSize(BLOCK_SIZE)
                    .readOnly(readOnly)
                    .checkInterrupts(false);
            TimeProvider clock = time != null ? time : defaultClock;
            if (clock != null) {
                builder.timeProvider(clock);
            }
            return builder.build();
        } catch (RuntimeException e) {
            throw new IOException("cannot open the journal's Chronicle Queue in " + dir + ": " + e, e);
        }
    }

    /** Where a repair builds the new journal for {@code dir}: {@code <dir>.repairing} beside it. */
    static Path repairingDir(Path dir) {
        return dir.resolveSibling(dir.getFileName() + REPAIRING_SUFFIX);
    }

    /** The cycle files in {@code dir}, in cycle order. */
    static List<Path> cycleFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(CYCLE_SUFFIX)).sorted().toList();
        }
    }

    /** Refuses a directory holding a {@code *.discard} file: records Chronicle set aside are missing from it. */
    static void refuseDiscardedFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + DISCARD_SUFFIX)) {
            for (Path file : files) {
                throw new JournalCorruptedException(0, file.toString(), "Chronicle set this cycle file aside as "
                        + "damaged (bad header) and may have started a new one; records in it are missing from the "
                        + "journal. Restore or repair it, then remove it from " + dir);
            }
        } catch (NoSuchFileException e) {
            throw new IOException("journal directory vanished: " + dir, e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Every cycle file must start with a complete metadata header (Chronicle's store header); see the class comment.
     * The caller holds the append lock, so no live process is writing a header meanwhile: a last cycle file whose
     * header is unfinished (shorter than a header word, or with the word's not-complete bit still set) was being
     * created by a process that died there. Chronicle first writes the header word as not complete and of unknown
     * length (length 0), then the header, then the word's real length and complete bit, and a cycle file's first
     * record only after that, so such a file holds no record; a damaged word with a length is damage, not this; a caller holding the lock exclusively removes it (Chronicle makes it
     * again on the next append), one holding it shared is refused. An unfinished header on an earlier file, or a
     * finished one that is not a store header, is damage.
     *
     * @param removeRemnant whether the caller holds the append lock exclusively and may remove a dead creator's file
     */
    static void checkCycleFileHeaders(Path dir, boolean removeRemnant) throws IOException {
        List<Path> cycles = cycleFiles(dir);
        for (int i = 0; i < cycles.size(); i++) {
            Path file = cycles.get(i);
            int word = storeHeaderWord(file);
            if (word == 0 || soundStoreHeader(file, word)) {
                continue;
            }
            boolean unfinished = word == -1 || ((word & 0x8000_0000) != 0 && (word & 0x3FFF_FFFF) == 0);
            if (unfinished && i == cycles.size() - 1) {
                if (!removeRemnant) {
                    throw new JournalCorruptedException(0, file.toString(), "a process died while creating this "
                            + "cycle file (its header is unfinished; it holds no record); a writer's open removes it: "
                            + "run cairn recover");
                }
                Files.delete(file);
                DurableFiles.syncDir(dir);
                continue;
            }
            throw new JournalCorruptedException(0, file.toString(), String.format("cycle file starts with "
                    + "a bad header (0x%08x); Chronicle would set it aside as *.discard and lose its "
                    + "records", word));
        }
    }

    /** Whether a cycle file starts with a complete store header (an empty file counts as sound). */
    static boolean hasSoundStoreHeader(Path file) throws IOException {
        int word = storeHeaderWord(file);
        return word == 0 || soundStoreHeader(file, word);
    }

    /** The first header word of a cycle file, 0 for an empty file. */
    private static int storeHeaderWord(Path file) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (header.hasRemaining() && channel.read(header) >= 0) {
                // fill
            }
        }
        return header.position() < 4 ? (header.position() == 0 ? 0 : -1) : header.getInt(0);
    }

    private static boolean soundStoreHeader(Path file, int word) throws IOException {
        boolean metadata = (word & 0x4000_0000) != 0;
        boolean complete = (word & 0x8000_0000) == 0;
        int length = word & 0x3FFF_FFFF;
        ByteBuffer name = ByteBuffer.allocate(8);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (name.hasRemaining() && channel.read(name, 4 + name.position()) >= 0) {
                // fill
            }
        }
        return metadata && complete && length != 0 && Arrays.equals(name.array(), STORE_HEADER_NAME);
    }

    /** The journal directory (a real path). */
    Path dir() {
        return dir;
    }

    /** The queue; its appenders and tailers belong to one thread each. */
    SingleChronicleQueue queue() {
        return queue;
    }

    /** A new tailer at the start of the queue, usable from any one thread at a time. */
    ExcerptTailer newTailer() {
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        return tailer;
    }

    /** The file of a roll cycle, as Chronicle names it; remembered per cycle. */
    Path cycleFile(int cycle) throws IOException {
        Path known = cycleFiles.get(cycle);
        if (known != null) {
            return known;
        }
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            throw new NoSuchFileException(dir + "/<cycle " + cycle + ">" + CYCLE_SUFFIX, null,
                    "Chronicle has no file for cycle " + cycle);
        }
        try {
            Path file = store.file().toPath();
            cycleFiles.put(cycle, file);
            return file;
        } finally {
            queue.closeStore(store);
        }
    }

    /**
     * A Chronicle index in words, for messages: {@code Chronicle index 0x… = cycle 0x… sequence 0x…, file …}. For an
     * index of 0 or less (none read yet) the tailer's cycle stands in, if there is a tailer.
     */
    String position(long index, ExcerptTailer tailer) {
        int cycle = index > 0 ? ROLL_CYCLE.toCycle(index) : tailer != null ? tailer.cycle() : -1;
        String file;
        try {
            file = cycleFile(cycle).toString();
        } catch (IOException | RuntimeException e) {
            file = dir + " (cycle file unknown: " + e.getMessage() + ")";
        }
        return String.format("Chronicle index 0x%x = cycle 0x%x sequence 0x%x, file %s", index, cycle,
                ROLL_CYCLE.toSequenceNumber(index), file);
    }

    /** The last cycle file in words ({@code last cycle file 20261129F.cq4}), for messages. */
    String lastCycleFile() {
        try {
            int cycle = queue.lastCycle();
            return cycle < 0 ? "no cycle file at all" : "last cycle file " + cycleFile(cycle).getFileName();
        } catch (IOException | RuntimeException e) {
            return "last cycle file unknown: " + e.getMessage();
        }
    }

    /**
     * The journal's archived prefix as it is on disk now ({@link ArchivedPrefix}); empty when nothing was archived.
     * Read each time: another process may archive while this one has the journal open.
     */
    Optional<ArchivedPrefix> archivedPrefix() throws IOException {
        return ArchivedPrefix.read(dir);
    }

    /** The first cycle that is part of the journal: the archived prefix's first kept cycle, else any. */
    int firstJournalCycle() throws IOException {
        return archivedPrefix().map(ArchivedPrefix::firstKeptCycle).orElse(Integer.MIN_VALUE);
    }

    /**
     * How many documents Chronicle counts in each cycle of the journal, readable or not, in cycle order; cycles before
     * an archived prefix's first kept cycle (files a crash right after the cut left behind) are not the journal's.
     */
    Map<Integer, Long> documentsPerCycle() throws IOException {
        Map<Integer, Long> counts = new LinkedHashMap<>();
        int from = firstJournalCycle();
        int first = Math.max(queue.firstCycle(), from);
        int last = queue.lastCycle();
        if (last < first) {
            return counts;
        }
        ExcerptTailer counter = newTailer();
        try {
            for (long cycle : queue.listCyclesBetween(first, last)) {
                long count = counter.excerptsInCycle((int) cycle);
                if (count >= 0) {
                    counts.put((int) cycle, count);
                }
            }
        } finally {
            counter.close();
        }
        return counts;
    }

    /**
     * Closes the queue and waits for Chronicle's background releaser, so that when this returns no file of the
     * journal is open or mapped by it (a remount, a repair's rename or an unmount may follow at once).
     */
    @Override
    public void close() {
        queue.close();
        BackgroundResourceReleaser.releasePendingResources();
    }
}
