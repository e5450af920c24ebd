package dev.cairn.journal;

import dev.cairn.io.CorruptFrameException;
import dev.cairn.io.FrameFormat;
import dev.cairn.model.Actor;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.FormatTooNewException;
import dev.cairn.model.JournalCorruptedException;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.RecordTooLargeException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The binary envelope of one journal record (docs/JOURNAL.md, "Record format"): a compact {@link FrameFormat} frame
 * (magic {@code CRNJ}, a one-byte format version, the body, a CRC-32C footer) whose body is, big-endian:
 *
 * <pre>
 * offset  size  field
 *      0     4  magic "CRNJ" (0x43 0x52 0x4E 0x4A)           \  frame header
 *      4     1  format version (1)                          /
 *      5     8  seq, unsigned, 1, 2, 3 ...
 *     13     8  time: seconds since the epoch (signed)
 *     21     4  time: nanoseconds within the second, 0..999,999,999
 *     25     4  actor length A, then A bytes: the actor as UTF-8 JSON
 *            2  type length T, then T bytes: the event type name (Event.type()) in UTF-8
 *            4  payload length P, then P bytes: the event as UTF-8 JSON (EventJson)
 *           32  prev: raw sha256 of the previous record's bytes; all zero for seq 1
 *            4  CRC-32C (Castagnoli) of every byte before it  -- frame footer
 * </pre>
 *
 * The hash of a record is the sha256 of all its bytes, CRC included. Stateless and thread-safe.
 */
final class RecordCodec {

    /** The first four bytes of every record. */
    static final int MAGIC = 0x43524E4A;
    /** The format version this code writes, and the newest it reads. */
    static final byte VERSION = 1;
    /** The frame of a record: versions 1 to {@link #VERSION}. */
    static final FrameFormat FORMAT = FrameFormat.compact("Cairn journal record", MAGIC, 1, VERSION);
    /** prev of the first record. */
    static final Digest ZERO_HASH = Digest.ofBytes(new byte[32]);

    private static final int FIXED_BODY = 8 + 8 + 4 + 4 + 2 + 4 + 32;

    private RecordCodec() {
    }

    /**
     * What of a record does not depend on its place in the journal, made before that place is known (on the
     * appending thread, so that appenders write their JSON in parallel): the actor's and the event's JSON, the type
     * name, and the event exactly as a reader will decode it.
     *
     * @param actorJson the actor as UTF-8 JSON
     * @param type      the event type name in UTF-8
     * @param payload   the event as UTF-8 JSON
     * @param actor     the actor
     * @param event     the event as it reads back from {@code payload} ({@link EventJson#asRead})
     */
    record Prepared(byte[] actorJson, byte[] type, byte[] payload, Actor actor, Event event) {
    }

    /**
     * Prepares a record of {@code event} by {@code actor}.
     *
     * @throws RecordTooLargeException  if the record would be larger than {@link Journal#MAX_RECORD_BYTES}
     * @throws IllegalArgumentException if the event cannot be written as JSON
     */
    static Prepared prepare(Actor actor, Event event) throws RecordTooLargeException {
        return prepare(actor, EventJson.writeBytes(actor), event);
    }

    /** As {@link #prepare(Actor, Event)}, with the actor's JSON already written (several events of one caller). */
    static Prepared prepare(Actor actor, byte[] actorJson, Event event) throws RecordTooLargeException {
        byte[] type = event.type().getBytes(StandardCharsets.UTF_8);
        byte[] payload = EventJson.writeBytes(event);
        long size = (long) FORMAT.overhead() + FIXED_BODY + actorJson.length + type.length + payload.length;
        if (size > Journal.MAX_RECORD_BYTES || type.length > 0xFFFF) {
            throw new RecordTooLargeException("a " + event.type()
                    + (event instanceof Event.LayerEvent l ? " of layer " + l.layer() : ""), size,
                    Journal.MAX_RECORD_BYTES);
        }
        return new Prepared(actorJson, type, payload, actor, EventJson.asRead(event, payload));
    }

    /**
     * Encodes a prepared record as record {@code seq} after the record whose hash is {@code prev}, and gives the
     * bytes with the {@link JournalRecord} every reader will decode from them — built from what was encoded, not by
     * decoding it again.
     */
    static EncodedRecord seal(long seq, Instant time, Prepared p, Digest prev) {
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1, was " + seq);
        }
        ByteBuffer b = FORMAT.begin(FIXED_BODY + p.actorJson().length + p.type().length + p.payload().length);
        b.putLong(seq).putLong(time.getEpochSecond()).putInt(time.getNano());
        b.putInt(p.actorJson().length).put(p.actorJson());
        b.putShort((short) p.type().length).put(p.type());
        b.putInt(p.payload().length).put(p.payload());
        b.put(prev.bytes());
        byte[] bytes = FORMAT.seal(b);
        return new EncodedRecord(new JournalRecord(seq, time, p.actor(), p.event(), prev, hash(bytes)), bytes);
    }

    /**
     * Encodes a record: {@link #prepare} and {@link #seal} in one.
     *
     * @throws RecordTooLargeException  if the record would be larger than {@link Journal#MAX_RECORD_BYTES}
     * @throws IllegalArgumentException if the event cannot be written as JSON
     */
    static byte[] encode(long seq, Instant time, Actor actor, Event event, Digest prev)
            throws RecordTooLargeException {
        return seal(seq, time, prepare(actor, event), prev).bytes();
    }

    /**
     * Decodes and checks one record: the frame (magic, CRC, version; see {@link FrameFormat}), field lengths, event
     * type and JSON. It does not check the record's place in the journal (seq continuity, chain): see
     * {@link ChainCheck}.
     *
     * @param expectedSeq the seq this record should have, for messages (the stored one may be damaged)
     * @param position    where the bytes came from, computed only for messages
     * @throws JournalCorruptedException if the bytes are not a valid record
     * @throws FormatTooNewException     if they are a sound record a newer Cairn wrote: a newer format version, or an
     *                                   event type or JSON key this code does not know
     */
    static JournalRecord decode(byte[] bytes, long expectedSeq, Supplier<String> position)
            throws JournalCorruptedException, FormatTooNewException {
        FrameFormat.Frame frame;
        try {
            frame = FORMAT.read(bytes, position);
        } catch (CorruptFrameException e) {
            throw new JournalCorruptedException(expectedSeq, e.resource(), e.reason());
        } catch (FormatTooNewException e) {
            throw e.at(e.resource(), expectedSeq);
        }
        ByteBuffer b = frame.body();
        try {
            long seq = b.getLong();
            long seconds = b.getLong();
            int nanos = b.getInt();
            byte[] actorJson = field(b, b.getInt());
            byte[] type = field(b, b.getShort() & 0xFFFF);
            byte[] payload = field(b, b.getInt());
            byte[] prev = field(b, 32);
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " unexpected bytes after the fields");
            }
            if (seq < 1) {
                throw new IllegalArgumentException("seq " + Long.toUnsignedString(seq) + " is not >= 1");
            }
            if (nanos < 0 || nanos > 999_999_999) {
                throw new IllegalArgumentException("time nanos " + nanos + " out of range");
            }
            Actor actor = EventJson.readActor(actorJson);
            Event event = EventJson.readEvent(new String(type, StandardCharsets.UTF_8), payload);
            return new JournalRecord(seq, Instant.ofEpochSecond(seconds, nanos), actor, event, Digest.ofBytes(prev),
                    hash(bytes));
        } catch (EventJson.UnknownPartException e) {
            throw FormatTooNewException.unknownPart(position.get(), expectedSeq, FORMAT.name(), frame.version(),
                    e.part());
        } catch (IllegalArgumentException | BufferUnderflowException | java.time.DateTimeException e) {
            throw new JournalCorruptedException(expectedSeq, position.get(),
                    "malformed record despite a good checksum: " + e.getMessage());
        }
    }

    /** The hash of a record: sha256 of all its bytes. */
    static Digest hash(byte[] bytes) {
        return Digest.sha256(bytes);
    }

    private static byte[] field(ByteBuffer b, int length) {
        if (length < 0 || length > b.remaining()) {
            throw new IllegalArgumentException("field length " + length + " exceeds the record ("
                    + b.remaining() + " bytes left)");
        }
        byte[] out = new byte[length];
        b.get(out);
        return out;
    }
}
