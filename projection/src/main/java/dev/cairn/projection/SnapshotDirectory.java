package dev.cairn.projection;

import dev.cairn.io.CorruptFrameException;
import dev.cairn.io.DurableFiles;
import dev.cairn.io.FrameFormat;
import dev.cairn.model.FormatTooNewException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The folder of index snapshots ({@code <root>/snapshots/}): one file per snapshot, named by its seq
 * ({@code snapshot-00000000000000012345.cidx}), each a whole {@link IndexSnapshot} frame.
 *
 * <p>Writing is atomic and durable: the bytes go to a temporary file beside it ({@code .snapshot-….tmp}, 0600),
 * which is fsynced, renamed into place and the folder fsynced; a reader sees no file or a whole one, and a crash
 * leaves at most a temporary file, removed by a later {@link #prune} once it is an hour old (so never one another
 * process is still writing). Several processes may write and read at once: two snapshots of one seq hold the same
 * index, and a file removed while another process reads it stays readable to it.
 *
 * <p>Reading never changes anything; {@link #load} goes from the newest file to older ones until one reads whole.
 * Nothing here ever removes a snapshot a newer Cairn wrote. Stateless apart from its path; thread-safe.
 */
public final class SnapshotDirectory {

    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".cidx";
    private static final Duration TEMPORARY_MAX_AGE = Duration.ofHours(1);

    private final Path dir;

    public SnapshotDirectory(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** A snapshot file that was not used, and why. */
    public record Refused(Path file, String reason, boolean tooNew) {
    }

    /**
     * What {@link #load} found: the newest snapshot that reads whole (and its file), and every newer file that did
     * not, in the order met.
     */
    public record Loaded(Optional<IndexSnapshot> snapshot, Optional<Path> file, List<Refused> refused) {
    }

    /** The snapshot files, newest (highest seq) first; none if the folder does not exist. */
    public List<Path> files() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(p -> seqOf(p) >= 0).sorted(Comparator.comparingLong(SnapshotDirectory::seqOf).reversed())
                    .toList();
        }
    }

    /** The seq a snapshot file's name says, -1 for a file that is not one. */
    public static long seqOf(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
            return -1;
        }
        String digits = name.substring(PREFIX.length(), name.length() - SUFFIX.length());
        if (digits.length() != 20 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(digits);
    }

    static String fileName(long seq) {
        return String.format("%s%020d%s", PREFIX, seq, SUFFIX);
    }

    /**
     * Reads the newest snapshot that is whole: each newer file that is damaged, truncated, too new, not the seq its
     * name says, or gone meanwhile is passed over and listed as refused. Changes nothing.
     *
     * @throws IOException if the folder cannot be listed
     */
    public Loaded load() throws IOException {
        List<Refused> refused = new ArrayList<>();
        for (Path file : files()) {
            try {
                IndexSnapshot s = IndexSnapshot.read(Files.readAllBytes(file), file.toString());
                if (s.seq() != seqOf(file)) {
                    refused.add(new Refused(file, "it holds the index at seq " + s.seq() + ", not the seq its name "
                            + "says", false));
                    continue;
                }
                return new Loaded(Optional.of(s), Optional.of(file), refused);
            } catch (FormatTooNewException e) {
                refused.add(new Refused(file, e.getMessage(), true));
            } catch (CorruptFrameException e) {
                refused.add(new Refused(file, e.reason(), false));
            } catch (NoSuchFileException e) {
                // removed by another process since the listing: a newer one took its place
            } catch (IOException e) {
                refused.add(new Refused(file, "cannot be read: " + e, false));
            }
        }
        return new Loaded(Optional.empty(), Optional.empty(), refused);
    }

    /** Writes {@code snapshot} atomically and durably (see above), replacing a file of the same seq; returns its path. */
    public Path write(IndexSnapshot snapshot) throws IOException {
        Path file = dir.resolve(fileName(snapshot.seq()));
        DurableFiles.writeFile(file, snapshot.bytesUncopied(), "rw-------", true);
        return file;
    }

    /**
     * Removes a snapshot that disagrees with its journal or is damaged — never one a newer Cairn wrote (nor one whose
     * header says so, damaged or not).
     *
     * @return whether it was removed
     */
    public boolean remove(Path file) throws IOException {
        if (headerSaysTooNew(file)) {
            return false;
        }
        return Files.deleteIfExists(file);
    }

    /**
     * Keeps the {@code keep} newest snapshots this Cairn reads and every one a newer Cairn wrote; removes the rest,
     * and temporary files left an hour or more ago by writers that died.
     */
    public void prune(int keep) throws IOException {
        int kept = 0;
        for (Path file : files()) {
            if (headerSaysTooNew(file)) {
                continue;
            }
            if (kept < keep) {
                kept++;
                continue;
            }
            Files.deleteIfExists(file);
        }
        FileTime before = FileTime.from(Instant.now().minus(TEMPORARY_MAX_AGE));
        try (Stream<Path> all = Files.list(dir)) {
            for (Path p : all.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith("." + PREFIX) && name.endsWith(".tmp")) {
                    try {
                        if (Files.getLastModifiedTime(p).compareTo(before) < 0) {
                            Files.deleteIfExists(p);
                        }
                    } catch (NoSuchFileException gone) {
                        // its writer renamed or removed it meanwhile
                    }
                }
            }
        }
    }

    /** Whether the file's header names {@link IndexSnapshot#FORMAT} in a version above the newest this Cairn reads. */
    static boolean headerSaysTooNew(Path file) throws IOException {
        byte[] name = IndexSnapshot.FORMAT.name().getBytes(StandardCharsets.US_ASCII);
        int length = 4 + 1 + name.length + 4;
        byte[] header;
        try (InputStream in = Files.newInputStream(file)) {
            header = in.readNBytes(length);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (header.length < length) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(header);
        if (b.getInt() != FrameFormat.FILE_MAGIC || (b.get() & 0xFF) != name.length) {
            return false;
        }
        byte[] found = new byte[name.length];
        b.get(found);
        return java.util.Arrays.equals(found, name) && b.getInt() > IndexSnapshot.FORMAT.newestVersion();
    }
}
