package dev.cairn.journal.tlog;

import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.internal.FaultPoints;
import dev.cairn.io.DurableFiles;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * A store's checkpoint signing key: an Ed25519 key pair whose name is the store's checkpoint origin, made with the
 * store and kept in {@code <root>/keys/} (docs/PROOFS.md "Keys"):
 * <pre>
 * checkpoint.key     the key pair, mode 0600 (only its owner may read it); format below
 * checkpoint.pub     the verifier key in its signed-note text form and a newline, for everyone
 * checkpoint.latest  the last checkpoint signed with the key, as its signed note
 * </pre>
 * {@code checkpoint.key}, all integers big-endian:
 * <pre>
 * offset  size  field
 *      0     4  magic "CRNK" (0x43 0x52 0x4E 0x4B)
 *      4     1  format version (1)
 *      5     1  algorithm: 0x01 = Ed25519 (the signed-note signature type)
 *      6     2  N = length of the key name
 *      8     N  key name, UTF-8: the checkpoint origin
 *    8+N    32  public key (RFC 8032)
 *   40+N    32  private key (RFC 8032 seed)
 *   72+N     4  CRC-32C of every byte before it
 * </pre>
 * Loading checks the checksum, that the file is readable by its owner only, and that the private key signs what the
 * public key verifies.
 *
 * <p>A log must never sign two checkpoints that contradict each other (C2SP tlog-checkpoint, "Signatures"). So
 * signing goes through {@link #beginSigning()}, which holds the key's lock (across processes), knows the last
 * checkpoint this key signed and records each new one durably before the note is handed out. Immutable apart from
 * that file; thread-safe.
 */
public final class CheckpointKey {

    /** The key pair's file in the keys folder. */
    public static final String KEY_FILE = "checkpoint.key";
    /** The verifier key's file in the keys folder. */
    public static final String PUBLIC_FILE = "checkpoint.pub";
    /** The last signed checkpoint's file in the keys folder. */
    public static final String LATEST_FILE = "checkpoint.latest";

    private static final int MAGIC = 0x43524E4B;
    private static final byte VERSION = 1;
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    /** One lock per key file in this JVM: a FileLock must never be requested twice by one JVM. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path dir;
    private final NoteVerifier verifier;
    private final PrivateKey privateKey;

    private CheckpointKey(Path dir, NoteVerifier verifier, PrivateKey privateKey) {
        this.dir = dir;
        this.verifier = verifier;
        this.privateKey = privateKey;
    }

    /**
     * Makes a new key named {@code origin} as the folder {@code keysDir}, built in a new folder beside it
     * ({@code .<name>.new-<random>}, removed unless the process dies): see {@link #create(Path, Path, String)}.
     */
    public static CheckpointKey create(Path keysDir, String origin) throws IOException {
        return create(keysDir, besides(keysDir), origin);
    }

    /**
     * Makes a new key named {@code origin} as the folder {@code keysDir}, atomically: the key file (mode 0600 from
     * its first byte) and the verifier key file are written whole into {@code building} (a new folder, 0700, on the
     * file system of {@code keysDir}), each fsynced, and {@code building} is renamed to {@code keysDir} in one step,
     * which cannot replace a key (rename(2) of a folder fails on a folder that is not empty). So any number of
     * processes may make the key of one store at once and one key wins; a crash at any instant leaves no key or a
     * whole one, and at most {@code building} as debris. An empty {@code keysDir} (one a crash of an older Cairn
     * left) is replaced.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code keysDir} has a key already (it is left as it is;
     *                                                  {@code building} is removed)
     * @throws IllegalArgumentException                 if {@code origin} is not a valid key name
     */
    public static CheckpointKey create(Path keysDir, Path building, String origin) throws IOException {
        NoteVerifier.checkName(origin);
        Path parent = keysDir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (hasKeyFile(keysDir)) {
            throw new FileAlreadyExistsException(keysDir.resolve(KEY_FILE).toString());
        }
        Files.createDirectory(building, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                "rwx------")));
        try {
            byte[] bytes = encode(origin);
            try {
                DurableFiles.writeFile(building.resolve(KEY_FILE), bytes, "rw-------", false);
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
            load(building).writePublicFile();
            FaultPoints.reach(FaultPoints.KEY_BUILT);
            try {
                DurableFiles.renameDurable(building, keysDir);
            } catch (FileSystemException e) {
                if (hasKeyFile(keysDir)) {
                    throw new FileAlreadyExistsException(keysDir.resolve(KEY_FILE).toString(), null,
                            "another process made the key first");
                }
                if (Files.isDirectory(keysDir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new CheckpointKeyException(keysDir, "has no " + KEY_FILE + " but is not empty ("
                            + e.getReason() + "); move it aside to have a new key made");
                }
                throw e;
            }
            FaultPoints.reach(FaultPoints.KEY_IN_PLACE);
        } finally {
            DurableFiles.removeTree(building);
        }
        return load(keysDir);
    }

    /** The key file's bytes for a new key named {@code origin} (the caller clears them). */
    private static byte[] encode(String origin) {
        KeyPair pair = Ed25519.generate();
        byte[] name = origin.getBytes(StandardCharsets.UTF_8);
        byte[] publicKey = Ed25519.rawPublicKey(pair.getPublic());
        byte[] seed = Ed25519.rawPrivateKey(pair.getPrivate());
        ByteBuffer b = ByteBuffer.allocate(8 + name.length + 2 * Ed25519.KEY_SIZE + 4);
        b.putInt(MAGIC).put(VERSION).put(NoteVerifier.ED25519).putShort((short) name.length).put(name)
                .put(publicKey).put(seed);
        b.putInt(crc(b.array(), b.position()));
        Arrays.fill(seed, (byte) 0);
        return b.array();
    }

    private static boolean hasKeyFile(Path keysDir) {
        return Files.exists(keysDir.resolve(KEY_FILE), LinkOption.NOFOLLOW_LINKS);
    }

    /** A new name beside {@code keysDir} to build a key in. */
    private static Path besides(Path keysDir) {
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        return keysDir.toAbsolutePath().resolveSibling("." + keysDir.getFileName() + ".new-"
                + HexFormat.of().formatHex(random));
    }

    /**
     * Loads the key in {@code keysDir}.
     *
     * @throws NoSuchFileException     if there is none
     * @throws AccessDeniedException   if this user may not read it (only its owner may)
     * @throws FormatTooNewException   if a newer Cairn wrote it
     * @throws CheckpointKeyException  if it is damaged, readable by others, or its two halves do not belong together
     */
    public static CheckpointKey load(Path keysDir) throws IOException {
        Path file = keysDir.resolve(KEY_FILE);
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (!java.util.Collections.disjoint(mode, OTHERS)) {
                throw new CheckpointKeyException(file, "the private key is accessible to others than its owner (mode "
                        + java.nio.file.attribute.PosixFilePermissions.toString(mode) + "); make it rw------- "
                        + "(chmod 600) and consider it compromised if others could read it");
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            return decode(keysDir, file, bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Loads the key in {@code keysDir}, or creates one named {@code origin} if there is none, built beside it
     * ({@link #create(Path, String)}). Writes the verifier key file again if it is missing.
     */
    public static CheckpointKey loadOrCreate(Path keysDir, String origin) throws IOException {
        return loadOrCreate(keysDir, besides(keysDir), origin);
    }

    /**
     * Loads the key in {@code keysDir}, or creates one named {@code origin} in {@code building}
     * ({@link #create(Path, Path, String)}) if there is none; a process that loses a race to make it loads the
     * winner's. Writes the verifier key file again if it is missing (a key made by an older Cairn).
     */
    public static CheckpointKey loadOrCreate(Path keysDir, Path building, String origin) throws IOException {
        CheckpointKey key;
        try {
            key = load(keysDir);
        } catch (NoSuchFileException e) {
            try {
                return create(keysDir, building, origin);
            } catch (FileAlreadyExistsException raced) {
                key = load(keysDir);
            }
        }
        if (!Files.exists(keysDir.resolve(PUBLIC_FILE), LinkOption.NOFOLLOW_LINKS)) {
            key.writePublicFile();
        }
        return key;
    }

    /**
     * The verifier key kept beside a key ({@value #PUBLIC_FILE}), which anyone may read: what a user without the
     * private key checks the store's checkpoints with.
     *
     * @throws NoSuchFileException    if there is none
     * @throws MalformedNoteException if the file is not a verifier key
     */
    public static NoteVerifier readVerifier(Path keysDir) throws IOException {
        Path file = keysDir.resolve(PUBLIC_FILE);
        return NoteVerifier.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * The last checkpoint the key in {@code keysDir} signed, read with the verifier key beside it (no private key
     * needed): what a repair that cuts records compares its last good seq with, to say which checkpoints it breaks
     * (every one larger than that seq, this one included if it is).
     *
     * @return empty if the key signed none
     * @throws MalformedNoteException if the record is not a signed checkpoint
     * @throws UntrustedNoteException if it does not carry the key's valid signature
     */
    public static Optional<Checkpoint> lastSigned(Path keysDir) throws IOException {
        Path file = keysDir.resolve(LATEST_FILE);
        Optional<byte[]> bytes = readIfExists(file);
        return bytes.isEmpty() ? Optional.empty()
                : Optional.of(SignedCheckpoint.verify(bytes.get(), readVerifier(keysDir), file.toString()).checkpoint());
    }

    /**
     * A checkpoint origin for a store that was given none: {@code <host name>/cairn/<16 random hex digits>}, unique
     * per store and stable for its life (it is the key's name).
     */
    public static String defaultOrigin() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException | SecurityException e) {
            host = "localhost";
        }
        if (!host.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,252}")) {
            host = "localhost";
        }
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        return host + "/cairn/" + HexFormat.of().formatHex(random);
    }

    /** The key's name: the store's checkpoint origin. */
    public String origin() {
        return verifier.name();
    }

    /** The verifier key of this key. */
    public NoteVerifier verifier() {
        return verifier;
    }

    /** Signs {@code text} (a note text ending in a newline): the signed note. Use {@link #beginSigning} for checkpoints. */
    SignedNote sign(String text) {
        byte[] signature = Ed25519.sign(privateKey, text.getBytes(StandardCharsets.UTF_8));
        return SignedNote.of(text, List.of(new SignedNote.Signature(verifier.name(), verifier.keyId(), signature)));
    }

    /**
     * Starts signing checkpoints: takes the key's lock (waiting for another process that signs) and reads the last
     * checkpoint this key signed. Close it to release the lock.
     *
     * @throws CheckpointKeyException if the record of the last signed checkpoint cannot be read or does not carry
     *                                this key's valid signature: signing then could contradict it, so it is refused
     */
    public Signing beginSigning() throws IOException {
        return new Signing();
    }

    /**
     * The right to sign checkpoints with this key, held by one thread of one process at a time. Not thread-safe.
     */
    public final class Signing implements AutoCloseable {
        private final ReentrantLock jvmLock;
        private final FileChannel channel;
        private final FileLock lock;
        private Optional<Checkpoint> last;

        private Signing() throws IOException {
            Path file = dir.resolve(KEY_FILE).toAbsolutePath().normalize();
            jvmLock = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
            jvmLock.lock();
            FileChannel ch = null;
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                lock = ch.lock();
                channel = ch;
                last = readLatest();
            } catch (IOException | RuntimeException e) {
                if (ch != null) {
                    ch.close();
                }
                jvmLock.unlock();
                throw e;
            }
        }

        /** The last checkpoint this key signed; empty if none. */
        public Optional<Checkpoint> lastSigned() {
            return last;
        }

        /**
         * Signs {@code checkpoint} and records it durably as the last one signed before returning its note. The
         * caller has checked that it does not contradict {@link #lastSigned()}.
         *
         * @throws IllegalArgumentException if its origin is not this key's name, or it is smaller than the last one
         */
        public SignedNote sign(Checkpoint checkpoint) throws IOException {
            if (!checkpoint.origin().equals(origin())) {
                throw new IllegalArgumentException("checkpoint origin " + checkpoint.origin() + " is not this key's "
                        + "name " + origin());
            }
            if (last.isPresent() && checkpoint.size() < last.get().size()) {
                throw new IllegalArgumentException("checkpoint of size " + checkpoint.size() + " after one of size "
                        + last.get().size());
            }
            SignedNote note = CheckpointKey.this.sign(checkpoint.text());
            DurableFiles.writeFile(dir.resolve(LATEST_FILE), note.toString().getBytes(StandardCharsets.UTF_8),
                    "rw-r--r--", true);
            last = Optional.of(checkpoint);
            return note;
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
                channel.close();
            } finally {
                jvmLock.unlock();
            }
        }

        private Optional<Checkpoint> readLatest() throws IOException {
            Path file = dir.resolve(LATEST_FILE);
            Optional<byte[]> bytes = readIfExists(file);
            if (bytes.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(SignedCheckpoint.verify(bytes.get(), verifier, file.toString()).checkpoint());
            } catch (MalformedNoteException | UntrustedNoteException e) {
                throw new CheckpointKeyException(file, "the record of the last checkpoint signed cannot be trusted ("
                        + e.getMessage() + "); refusing to sign, since a new checkpoint might contradict it");
            }
        }
    }

    @Override
    public String toString() {
        return "CheckpointKey[" + verifier + "]";
    }

    private static Optional<byte[]> readIfExists(Path file) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private void writePublicFile() throws IOException {
        DurableFiles.writeFile(dir.resolve(PUBLIC_FILE), (verifier + "\n").getBytes(StandardCharsets.UTF_8),
                "rw-r--r--", true);
    }

    private static CheckpointKey decode(Path dir, Path file, byte[] bytes) throws IOException {
        if (bytes.length < 8) {
            throw new CheckpointKeyException(file, "is " + bytes.length + " bytes, too short for a key file");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int magic = b.getInt();
        if (magic != MAGIC) {
            throw new CheckpointKeyException(file, String.format("is not a Cairn key file: magic 0x%08x, expected "
                    + "0x%08x", magic, MAGIC));
        }
        int version = b.get() & 0xFF;
        if (version > VERSION) {
            throw FormatTooNewException.newerVersion(file.toString(), 0, "Cairn checkpoint key file", version, VERSION);
        }
        int algorithm = b.get() & 0xFF;
        int nameLength = b.getShort() & 0xFFFF;
        int size = 8 + nameLength + 2 * Ed25519.KEY_SIZE + 4;
        if (bytes.length != size) {
            throw new CheckpointKeyException(file, "is " + bytes.length + " bytes; a key named by " + nameLength
                    + " bytes is " + size + " (truncated or damaged?)");
        }
        int stored = ByteBuffer.wrap(bytes, size - 4, 4).getInt();
        int computed = crc(bytes, size - 4);
        if (stored != computed) {
            throw new CheckpointKeyException(file, String.format("checksum failed (hardware problem?): stored "
                    + "CRC-32C 0x%08x, computed 0x%08x", stored, computed));
        }
        if (version != VERSION || algorithm != NoteVerifier.ED25519) {
            throw new CheckpointKeyException(file, "has version " + version + " and algorithm " + algorithm
                    + "; expected 1 and 1 (Ed25519)");
        }
        byte[] name = new byte[nameLength];
        byte[] publicKey = new byte[Ed25519.KEY_SIZE];
        byte[] seed = new byte[Ed25519.KEY_SIZE];
        b.get(name).get(publicKey).get(seed);
        try {
            NoteVerifier verifier = NoteVerifier.of(new String(name, StandardCharsets.UTF_8), publicKey);
            PrivateKey privateKey = Ed25519.privateKey(seed);
            byte[] probe = ("cairn key check " + file).getBytes(StandardCharsets.UTF_8);
            if (!verifier.verifies(probe, Ed25519.sign(privateKey, probe))) {
                throw new CheckpointKeyException(file, "its private key does not sign what its public key verifies: "
                        + "the two do not belong together");
            }
            return new CheckpointKey(dir, verifier, privateKey);
        } catch (InvalidKeySpecException | IllegalArgumentException e) {
            throw new CheckpointKeyException(file, "holds no usable Ed25519 key: " + e.getMessage());
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
