package dev.cairn.journal;

import dev.cairn.model.Actor;
import dev.cairn.model.Event;
import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.io.DurableFiles;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;

/**
 * Cuts a damaged {@link ChronicleJournal} back to its last good record (docs/JOURNAL.md, "Damage and repair").
 *
 * <p>The damaged directory is never changed and never deleted: it is renamed aside, whole, to
 * {@code <dir>.damaged-<UTC time>}. The good prefix (every record from seq 1 up to the first one that fails
 * verification) is copied byte for byte, so seqs, hashes and the chain stay the same, into a fresh queue built in
 * {@code <dir>.repairing}, followed by one {@link Event.JournalRepaired} record saying what was done; that queue is
 * verified by {@link ChronicleJournal#open}, made durable, and renamed into place. Rewriting instead of truncating
 * Chronicle's files in place means no Chronicle structure (document headers, indexes, the metadata file) is ever
 * edited by hand, and a crash at any point leaves either the old directory or the new one complete:
 * <ol>
 *   <li>crash while {@code <dir>.repairing} is built (no {@value #COMPLETE_MARKER} file in it yet): {@code <dir>} is
 *   untouched; the next repair deletes the unfinished copy and starts again;
 *   <li>crash after the marker was made durable: the next repair finishes the renames (the damaged journal, or an
 *   empty one an open created meanwhile, goes aside, never deleted).
 * </ol>
 * {@link ChronicleJournal#open} refuses while {@code <dir>.repairing} exists.
 *
 * <p><b>Never cuts what it cannot read because it is newer.</b> A record or head checkpoint that a newer Cairn wrote
 * ({@link FormatTooNewException}) is not damage: if open finds one, or one follows the damage (anywhere in the
 * documents Chronicle can still read after the cut, later cycle files included), repair refuses with that
 * exception, changing nothing. Run the newer Cairn's repair instead.
 *
 * <p>The caller must keep every writer away (the store's lock); the journal's append lock is held as well.
 * Not thread-safe; static.
 */
public final class JournalRepair {

    private static final String DAMAGED_SUFFIX = ".damaged-";
    /**
     * Written into {@code <dir>.repairing}, durably, once the repaired journal there is complete; holds the name the
     * damaged journal is to be kept under. Removed once the repaired journal is in place.
     */
    static final String COMPLETE_MARKER = "repair.complete";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /**
     * What a repair did.
     *
     * @param changed     false if the journal was sound and nothing was touched
     * @param lastGoodSeq the last record kept (for a sound journal: its last record)
     * @param lostRecords records dropped after it, as far as they could be counted (at least this many)
     * @param damage      what verification reported; null if the journal was sound
     * @param backup      where the damaged journal was kept; null if nothing changed
     * @param repairSeq   the seq of the {@link Event.JournalRepaired} record; 0 if nothing changed
     */
    public record Result(boolean changed, long lastGoodSeq, long lostRecords, String damage, Path backup,
                         long repairSeq) {
    }

    private JournalRepair() {
    }

    /**
     * Repairs the journal in {@code dir} if it fails verification, and finishes an interrupted earlier repair.
     *
     * @param actor who repairs, for the {@link Event.JournalRepaired} record
     * @throws FormatTooNewException if the journal holds a record or checkpoint a newer Cairn wrote, before or after
     *                               the damage: nothing is changed ("repair refused: ...")
     * @throws IOException           if the journal cannot be read or the repaired one written; {@code dir} is then
     *                               as it was
     */
    public static Result repair(Path dir, Actor actor) throws IOException {
        Objects.requireNonNull(actor, "actor");
        Path journal = dir.toAbsolutePath().normalize();
        Path repairing = QueueFiles.repairingDir(journal);
        if (Files.isRegularFile(repairing.resolve(COMPLETE_MARKER))) {
            Path backup = journal.resolveSibling(Files.readString(repairing.resolve(COMPLETE_MARKER)).trim());
            if (Files.exists(journal)) {
                // the damaged journal (a crash before the first rename), or an empty one an open made meanwhile
                Files.move(journal, Files.exists(backup) ? backupName(journal) : backup,
                        StandardCopyOption.ATOMIC_MOVE);
            }
            putInPlace(repairing, journal);
        } else if (Files.exists(repairing)) {
            DurableFiles.removeTree(repairing);
        }
        JournalCorruptedException damage;
        try (ChronicleJournal sound = ChronicleJournal.open(journal)) {
            long last = sound.lastSeq();
            return new Result(false, last, 0, null, null, 0);
        } catch (JournalCorruptedException e) {
            damage = e;
        } catch (FormatTooNewException e) {
            throw e.refusing("repair refused, nothing changed");
        }
        try (AppendLock lock = AppendLock.open(journal.toRealPath(), false);
             AppendLock.Held held = lock.exclusive()) {
            return rebuild(journal, repairing, damage, actor);
        }
    }

    private static Result rebuild(Path journal, Path repairing, JournalCorruptedException damage, Actor actor)
            throws IOException {
        Path scan = Files.createTempDirectory(journal.getParent(), "." + journal.getFileName() + ".scan-");
        try {
            Optional<HeadCheckpoint> checkpoint = readCheckpointQuietly(journal);
            copySoundCycleFiles(journal, scan);
            Files.createDirectory(repairing);
            // An archived prefix is not damage: the repaired journal starts where this one does, after it.
            Optional<ArchivedPrefix> archived = ArchivedPrefix.read(journal);
            if (archived.isPresent()) {
                archived.get().write(scan);
                archived.get().write(repairing);
            }
            long good;
            long counted;
            try (QueueFiles from = QueueFiles.open(scan, null, false);
                 SingleChronicleQueue to = QueueFiles.build(repairing, null, false)) {
                good = copyGoodPrefix(from, to, damage);
                counted = archived.map(ArchivedPrefix::lastSeq).orElse(0L)
                        + from.documentsPerCycle().values().stream().mapToLong(Long::longValue).sum();
            }
            long lost = Math.max(counted - good, checkpoint.map(c -> c.seq() - good).orElse(0L));
            Path backup = backupName(journal);
            String backupRelative = journal.getParent().relativize(backup).toString();
            long repairSeq;
            try (ChronicleJournal repaired = ChronicleJournal.open(repairing)) {
                if (repaired.lastSeq() != good) {
                    throw new IOException("repair copied " + good + " records but the new journal in " + repairing
                            + " holds " + repaired.lastSeq());
                }
                repairSeq = repaired.append(new Event.JournalRepaired(good, Math.max(lost, 0), damage.getMessage(),
                        backupRelative), actor).seq();
            }
            DurableFiles.syncFilesAndDir(repairing);
            Files.writeString(repairing.resolve(COMPLETE_MARKER), backup.getFileName().toString());
            DurableFiles.syncFilesAndDir(repairing);
            Files.move(journal, backup, StandardCopyOption.ATOMIC_MOVE);
            putInPlace(repairing, journal);
            return new Result(true, good, Math.max(lost, 0), damage.getMessage(), backup, repairSeq);
        } catch (IOException | RuntimeException e) {
            if (Files.isDirectory(journal) && Files.exists(repairing)
                    && !Files.exists(repairing.resolve(COMPLETE_MARKER))) {
                try {
                    DurableFiles.removeTree(repairing);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        } finally {
            DurableFiles.removeTree(scan);
        }
    }

    /** Whether an earlier repair of {@code dir} was interrupted and left its work beside it. */
    public static boolean interrupted(Path dir) {
        return Files.exists(QueueFiles.repairingDir(dir.toAbsolutePath().normalize()));
    }

    /** The last step: the complete repaired journal takes the journal's name, then loses its marker. */
    private static void putInPlace(Path repairing, Path journal) throws IOException {
        DurableFiles.renameDurable(repairing, journal);
        Files.delete(journal.resolve(COMPLETE_MARKER));
        DurableFiles.syncDir(journal);
    }

    /**
     * Copies the cycle files whose store header is sound, in order, leaving out those Chronicle would set aside: the
     * chain breaks at the first one left out, so the good prefix ends before it, and the files after it are still
     * read for records of a newer Cairn. The metadata file is left behind: Chronicle rebuilds it from the directory
     * listing, and the copy keeps the damaged directory free of anything Chronicle might write while reading.
     */
    private static void copySoundCycleFiles(Path journal, Path scan) throws IOException {
        for (Path cycle : QueueFiles.cycleFiles(journal)) {
            if (QueueFiles.hasSoundStoreHeader(cycle)) {
                Files.copy(cycle, scan.resolve(cycle.getFileName()));
            }
        }
    }

    /**
     * Copies every document that verifies, from seq 1, stopping at the first that does not, then reads on to the end
     * for a record of a newer Cairn, which the cut would drop; returns how many were copied.
     *
     * @throws FormatTooNewException if such a record is there, before the damage or after it
     */
    private static long copyGoodPrefix(QueueFiles from, SingleChronicleQueue to, JournalCorruptedException damage)
            throws IOException {
        try (RecordTailer tailer = RecordTailer.fromStart(from);
             ExcerptAppender appender = to.createAppender()) {
            while (true) {
                EncodedRecord record;
                try {
                    record = tailer.next();
                } catch (JournalCorruptedException cut) {
                    break;
                } catch (FormatTooNewException newer) {
                    throw newer.refusing("repair refused, nothing changed");
                }
                if (record == null) {
                    break;
                }
                appender.writeBytes(Bytes.wrapForRead(record.bytes()));
            }
            long good = tailer.chain().lastSeq();
            refuseNewerAfter(tailer, good, damage);
            return good;
        }
    }

    /** Reads every document left after the cut and refuses if one is a sound record of a newer Cairn. */
    private static void refuseNewerAfter(RecordTailer tailer, long good, JournalCorruptedException damage)
            throws FormatTooNewException {
        while (true) {
            byte[] bytes;
            try {
                bytes = tailer.nextBytes();
            } catch (JournalCorruptedException unreadable) {
                return;
            }
            if (bytes == null) {
                return;
            }
            long index = tailer.lastIndex();
            try {
                RecordCodec.decode(bytes, 0, () -> "Chronicle index 0x" + Long.toHexString(index) + " of the journal");
            } catch (JournalCorruptedException damaged) {
                // part of the damage, or past it: cut
            } catch (FormatTooNewException newer) {
                throw newer.refusing("repair refused, nothing changed: the journal is damaged after seq " + good
                        + " (" + damage.reason() + "), and cutting it there would drop a record written by a newer "
                        + "Cairn");
            }
        }
    }

    private static Optional<HeadCheckpoint> readCheckpointQuietly(Path journal) {
        try {
            return HeadCheckpoint.read(journal);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Path backupName(Path journal) {
        String base = journal.getFileName() + DAMAGED_SUFFIX + STAMP.format(Instant.now());
        Path candidate = journal.resolveSibling(base);
        for (int i = 2; Files.exists(candidate); i++) {
            candidate = journal.resolveSibling(base + "-" + i);
        }
        return candidate;
    }
}
