package dev.cairn.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.io.CorruptFrameException;
import dev.cairn.io.FrameFormat;
import dev.cairn.journal.EventJson;
import dev.cairn.journal.TrustedPrefix;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.ImageId;
import dev.cairn.model.LayerId;
import dev.cairn.model.LayerState;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.StagingId;
import io.vavr.collection.HashMap;
import io.vavr.collection.Map;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The {@link LayerIndex} as of one record, as bytes: what an open reads instead of folding the journal from seq 1
 * (DESIGN.md section 5). It names the record it was folded to — its seq and hash, which pin the whole history up to
 * it ({@link #prefix()}) — so that an open can tell whether the journal it meets is the one it was made from.
 *
 * <h2>Format (version 1)</h2>
 * A named {@link FrameFormat} frame, {@code cairn-index-snapshot}: magic {@code C4 1B 7A 52}, the name, the version
 * (4 bytes), the body, CRC-32C of everything before it. The body, big-endian:
 * <pre>
 * seq (8) | hash of record seq (32, raw sha256)
 * layers: count (4), then each, in the order of {@link LayerIndex#layers()} (creation time, then id: a reader that
 *         finds them so lists them without a sort; older writers wrote them in any order, which a reader accepts):
 *         id (32) | parent? (32) | names: count (4), string each | created (instant)
 *         | state (string: INCOMPLETE, COMMITTED, REMOVING) | staging? (16) | metadata (string)
 *         | flags (string: their JSON object, empty for none) | diffDigest? (32) | diffSize (8)
 *         | compressedDigest? (32) | compressedSize? (8) | compression? (string: its label) | owner? | chainId? (32)
 * stagings: count (4), then each: id (16) | state (string: STARTED, STAGED, APPLIED) | ownerPid (8)
 *         | ownerHost? (string) | started? (instant) | staged? (instant) | diffDigest? (32) | diffSize (8)
 *         | compressedDigest? (32) | compressedSize (8) | compression? (string) | pendingLayer? (32) | ephemeral (1)
 * images: count (4), then each: id (32) | state (string: INCOMPLETE, COMMITTED, REMOVING) | names: count (4),
 *         string each | layers: count (4), id (32) each | manifestDigest (32) | manifestMediaType? (string)
 *         | manifestSize (8) | configDigest (32) | configSize (8) | created (instant) | size (8)
 *         | blobs: count (4), digest (32) and size (8) each | owner?
 * repositories: a string holding their JSON: {"uploads": [open uploads], "repositories": [{"name", "blobs",
 *         "manifests", "tags": {tag: digest}}]}, the records as the journal's JSON writes them
 * </pre>
 * {@code x?} is a byte 0 (absent) or 1 followed by x; a string is its UTF-8 length (4) and bytes; an instant is its
 * epoch seconds (8) and nanoseconds (4); an owner is its lock, pid (8) and host, as strings and a number. Ids and
 * digests are their raw bytes. Everything else the index holds (names, children, digest lookups, open sagas, the
 * images' lookups) is derived from these when read ({@link LayerIndex#rebuilt}), which {@link #of} checks.
 *
 * <p>Immutable and thread-safe.
 */
public final class IndexSnapshot {

    /** The frame: {@code cairn-index-snapshot}, versions 1 to 1. */
    public static final FrameFormat FORMAT = FrameFormat.named("cairn-index-snapshot", 1, 1);

    /**
     * The repositories of a registry table with nothing in it, as Jackson writes them (IndexSnapshotTest checks it):
     * the registry of most stores, read and written without Jackson, whose start (its mapper and ~400 classes,
     * with the table's) was ~0.09 s of a small store's {@code cairn layers} (docs/BENCHMARKS.md, issue 13).
     */
    static final String EMPTY_REGISTRY = "{\"uploads\":[],\"repositories\":[]}";
    private static final HexFormat HEX = HexFormat.of();

    private final LayerIndex index;
    private final Digest hash;
    private final byte[] bytes;

    private IndexSnapshot(LayerIndex index, Digest hash, byte[] bytes) {
        this.index = index;
        this.hash = hash;
        this.bytes = bytes;
    }

    /**
     * The snapshot of {@code index}, whose last record hashes to {@code hash}, encoded and read back: it is refused
     * unless the index read back equals {@code index} — so a snapshot never holds anything but what the fold holds.
     *
     * @throws IllegalArgumentException if the index is empty (seq 0), or if it cannot be kept as a snapshot: its
     *                                  derived parts are not what its layers, stagings and images make them (only
     *                                  a journal Cairn never wrote leads there); the message says which
     */
    public static IndexSnapshot of(LayerIndex index, Digest hash) {
        Objects.requireNonNull(hash, "hash");
        if (index.seq() < 1) {
            throw new IllegalArgumentException("an empty index has no snapshot");
        }
        byte[] bytes = FORMAT.frame(encode(index, hash));
        IndexSnapshot back;
        try {
            back = read(bytes, "the snapshot just encoded");
        } catch (IOException e) {
            throw new IllegalStateException("a snapshot just encoded does not read back: " + e.getMessage(), e);
        }
        if (!back.index.equals(index)) {
            throw new IllegalArgumentException("the index at seq " + index.seq() + " cannot be kept as a snapshot: "
                    + "rebuilt from its layers, stagings and images it differs from the fold");
        }
        return new IndexSnapshot(index, hash, bytes);
    }

    /**
     * Reads a snapshot's bytes, checking the frame (magic, name, checksum, version) and then the body.
     *
     * @param resource what the bytes are (a file), for messages
     * @throws CorruptFrameException if they are not a sound snapshot: damaged, truncated, or malformed inside a good
     *                               checksum
     * @throws FormatTooNewException if they are a sound snapshot of a newer format version
     */
    public static IndexSnapshot read(byte[] bytes, String resource) throws CorruptFrameException,
            FormatTooNewException {
        ByteBuffer body = FORMAT.read(bytes, () -> resource).body();
        try {
            Reader in = new Reader(body);
            long seq = in.buf.getLong();
            Digest hash = in.digest();
            if (seq < 1) {
                throw new IllegalArgumentException("seq " + seq);
            }
            Map<LayerId, LayerEntry> layers = HashMap.empty();
            List<LayerEntry> listed = new ArrayList<>();
            for (int n = in.count(); n > 0; n--) {
                LayerEntry l = in.layer();
                layers = layers.put(l.id(), l);
                if (listed != null && !listed.isEmpty()
                        && LayerIndex.LISTING_ORDER.compare(listed.get(listed.size() - 1), l) >= 0) {
                    listed = null;   // not in the listing's order (a snapshot of older code): layers() sorts
                }
                if (listed != null) {
                    listed.add(l);
                }
            }
            if (listed != null && listed.size() != layers.size()) {
                listed = null;   // an id twice: the map holds the last, as the fold would
            }
            Map<StagingId, StagingEntry> stagings = HashMap.empty();
            for (int n = in.count(); n > 0; n--) {
                StagingEntry st = in.staging();
                stagings = stagings.put(st.id(), st);
            }
            Map<ImageId, ImageEntry> images = HashMap.empty();
            for (int n = in.count(); n > 0; n--) {
                ImageEntry i = in.image();
                images = images.put(i.id(), i);
            }
            String repositories = in.string();
            RegistryTable registry = repositories.equals(EMPTY_REGISTRY) ? RegistryTable.EMPTY
                    : RegistryTable.fromSnapshotJson(Json.MAPPER.readTree(repositories), Json.MAPPER);
            if (body.hasRemaining()) {
                throw new IllegalArgumentException(body.remaining() + " bytes after the repositories");
            }
            return new IndexSnapshot(LayerIndex.rebuilt(seq, layers, listed, stagings, ImageTable.rebuilt(images),
                    registry),
                    hash, bytes);
        } catch (BufferUnderflowException | IllegalArgumentException | NullPointerException | UncheckedIOException
                 | IOException e) {
            throw new CorruptFrameException(resource, "malformed index snapshot despite a good checksum: " + e);
        }
    }

    /** The index. */
    public LayerIndex index() {
        return index;
    }

    /** The seq of the last record folded in. */
    public long seq() {
        return index.seq();
    }

    /** The hash of record {@link #seq()}. */
    public Digest hash() {
        return hash;
    }

    /** The journal's prefix this snapshot stands for: records 1 to {@link #seq()}, the last hashing to {@link #hash()}. */
    public TrustedPrefix prefix() {
        return new TrustedPrefix(seq(), hash);
    }

    /** The snapshot's bytes, a whole frame. */
    public byte[] bytes() {
        return bytes.clone();
    }

    byte[] bytesUncopied() {
        return bytes;
    }

    @Override
    public String toString() {
        return "IndexSnapshot[seq=" + seq() + ", hash=" + hash + ", " + bytes.length + " bytes]";
    }

    /** The journal's JSON mapper, made when a snapshot first holds something that is JSON (flags, repositories). */
    private static final class Json {
        static final ObjectMapper MAPPER = EventJson.newMapper();
    }

    // --- encoding ------------------------------------------------------------------------------------------------

    private static byte[] encode(LayerIndex index, Digest hash) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 16);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            Writer w = new Writer(out);
            out.writeLong(index.seq());
            w.digest(hash);
            out.writeInt(index.layerMap().size());
            List<LayerEntry> layers = new ArrayList<>(index.layerMap().size());
            index.layerMap().valuesIterator().forEachRemaining(layers::add);
            layers.sort(LayerIndex.LISTING_ORDER);
            for (LayerEntry l : layers) {
                w.layer(l);
            }
            out.writeInt(index.stagingMap().size());
            for (StagingEntry st : index.stagingMap().values()) {
                w.staging(st);
            }
            Map<ImageId, ImageEntry> images = index.images().imageMap();
            out.writeInt(images.size());
            for (ImageEntry i : images.values()) {
                w.image(i);
            }
            w.string(index.registry().equals(RegistryTable.EMPTY) ? EMPTY_REGISTRY
                    : Json.MAPPER.writeValueAsString(index.registry().toSnapshotJson(Json.MAPPER)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private record Writer(DataOutputStream out) {

        void layer(LayerEntry l) throws IOException {
            hex(l.id().hex());
            if (present(l.parent())) {
                hex(l.parent().hex());
            }
            strings(l.names());
            instant(l.created());
            string(l.state().name());
            if (present(l.staging())) {
                hex(l.staging().hex());
            }
            string(l.metadata());
            string(l.flags().isEmpty() ? "" : Json.MAPPER.writeValueAsString(l.flags()));
            optionalDigest(l.diffDigest());
            out.writeLong(l.diffSize());
            optionalDigest(l.compressedDigest());
            if (present(l.compressedSize())) {
                out.writeLong(l.compressedSize());
            }
            optionalString(l.compression() == null ? null : l.compression().label());
            owner(l.owner());
            optionalDigest(l.chainId());
        }

        void staging(StagingEntry s) throws IOException {
            hex(s.id().hex());
            string(s.state().name());
            out.writeLong(s.ownerPid());
            optionalString(s.ownerHost());
            if (present(s.started())) {
                instant(s.started());
            }
            if (present(s.staged())) {
                instant(s.staged());
            }
            optionalDigest(s.diffDigest());
            out.writeLong(s.diffSize());
            optionalDigest(s.compressedDigest());
            out.writeLong(s.compressedSize());
            optionalString(s.compression() == null ? null : s.compression().label());
            if (present(s.pendingLayer())) {
                hex(s.pendingLayer().hex());
            }
            out.writeBoolean(s.ephemeral());
        }

        void image(ImageEntry i) throws IOException {
            hex(i.id().hex());
            string(i.state().name());
            strings(i.names());
            out.writeInt(i.layers().size());
            for (LayerId l : i.layers()) {
                hex(l.hex());
            }
            digest(i.manifestDigest());
            optionalString(i.manifestMediaType());
            out.writeLong(i.manifestSize());
            digest(i.configDigest());
            out.writeLong(i.configSize());
            instant(i.created());
            out.writeLong(i.size());
            out.writeInt(i.blobs().size());
            for (BlobRef b : i.blobs()) {
                digest(b.digest());
                out.writeLong(b.size());
            }
            owner(i.owner());
        }

        boolean present(Object o) throws IOException {
            out.writeBoolean(o != null);
            return o != null;
        }

        void hex(String hex) throws IOException {
            out.write(HEX.parseHex(hex));
        }

        void digest(Digest d) throws IOException {
            out.write(d.bytes());
        }

        void optionalDigest(Digest d) throws IOException {
            if (present(d)) {
                digest(d);
            }
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }

        void optionalString(String s) throws IOException {
            if (present(s)) {
                string(s);
            }
        }

        void strings(List<String> list) throws IOException {
            out.writeInt(list.size());
            for (String s : list) {
                string(s);
            }
        }

        void instant(Instant t) throws IOException {
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        }

        void owner(SagaOwner o) throws IOException {
            if (present(o)) {
                string(o.lock());
                out.writeLong(o.pid());
                string(o.host());
            }
        }
    }

    // --- decoding ------------------------------------------------------------------------------------------------

    /** Reads the body; any malformation is an exception the caller turns into "malformed". */
    private static final class Reader {
        final ByteBuffer buf;

        Reader(ByteBuffer buf) {
            this.buf = buf;
        }

        int count() {
            int n = buf.getInt();
            if (n < 0 || n > buf.remaining()) {
                throw new IllegalArgumentException("count " + n + " with " + buf.remaining() + " bytes left");
            }
            return n;
        }

        LayerEntry layer() {
            LayerId id = layerId();
            LayerId parent = present() ? layerId() : null;
            List<String> names = strings();
            Instant created = instant();
            LayerState state = LayerState.valueOf(string());
            StagingId staging = present() ? StagingId.of(HEX.formatHex(raw(16))) : null;
            String metadata = string();
            String flagsJson = string();
            java.util.Map<String, Object> flags = flagsJson.isEmpty() ? null : flags(flagsJson);
            Digest diff = optionalDigest();
            long diffSize = buf.getLong();
            Digest compressed = optionalDigest();
            Long compressedSize = present() ? buf.getLong() : null;
            String compression = optionalString();
            SagaOwner owner = owner();
            Digest chain = optionalDigest();
            return new LayerEntry(id, parent, names, created, state, staging, metadata, flags, diff, diffSize,
                    compressed, compressedSize, compression == null ? null : Compression.ofLabel(compression), owner,
                    chain);
        }

        StagingEntry staging() {
            StagingId id = StagingId.of(HEX.formatHex(raw(16)));
            StagingState state = StagingState.valueOf(string());
            long pid = buf.getLong();
            String host = optionalString();
            Instant started = present() ? instant() : null;
            Instant staged = present() ? instant() : null;
            Digest diff = optionalDigest();
            long diffSize = buf.getLong();
            Digest compressed = optionalDigest();
            long compressedSize = buf.getLong();
            String compression = optionalString();
            LayerId pending = present() ? layerId() : null;
            boolean ephemeral = present();
            return new StagingEntry(id, state, pid, host, started, staged, diff, diffSize, compressed, compressedSize,
                    compression == null ? null : Compression.ofLabel(compression), pending, ephemeral);
        }

        ImageEntry image() {
            ImageId id = ImageId.of(HEX.formatHex(raw(32)));
            ImageState state = ImageState.valueOf(string());
            List<String> names = strings();
            List<LayerId> layers = new ArrayList<>();
            for (int n = count(); n > 0; n--) {
                layers.add(layerId());
            }
            Digest manifest = digest();
            String mediaType = optionalString();
            long manifestSize = buf.getLong();
            Digest config = digest();
            long configSize = buf.getLong();
            Instant created = instant();
            long size = buf.getLong();
            List<BlobRef> blobs = new ArrayList<>();
            for (int n = count(); n > 0; n--) {
                blobs.add(new BlobRef(digest(), buf.getLong()));
            }
            SagaOwner owner = owner();
            return new ImageEntry(id, state, names, layers, manifest, mediaType, manifestSize, config, configSize,
                    created, size, blobs, owner);
        }

        boolean present() {
            byte b = buf.get();
            if (b != 0 && b != 1) {
                throw new IllegalArgumentException("a presence byte of " + b);
            }
            return b == 1;
        }

        byte[] raw(int n) {
            byte[] b = new byte[n];
            buf.get(b);
            return b;
        }

        LayerId layerId() {
            return LayerId.of(HEX.formatHex(raw(32)));
        }

        Digest digest() {
            return Digest.ofBytes(raw(32));
        }

        Digest optionalDigest() {
            return present() ? digest() : null;
        }

        String string() {
            return new String(raw(count()), StandardCharsets.UTF_8);
        }

        String optionalString() {
            return present() ? string() : null;
        }

        List<String> strings() {
            List<String> out = new ArrayList<>();
            for (int n = count(); n > 0; n--) {
                out.add(string());
            }
            return out;
        }

        Instant instant() {
            return Instant.ofEpochSecond(buf.getLong(), buf.getInt());
        }

        SagaOwner owner() {
            return present() ? new SagaOwner(string(), buf.getLong(), string()) : null;
        }

        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> flags(String json) {
            try {
                return Json.MAPPER.readValue(json, java.util.LinkedHashMap.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
