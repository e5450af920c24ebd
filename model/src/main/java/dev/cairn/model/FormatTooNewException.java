package dev.cairn.model;

/**
 * Bytes written by a newer Cairn: a record or file whose checksum holds but whose format version is above the newest
 * this Cairn reads, or which, inside a version this Cairn does read, uses something it does not know (an event
 * type, a JSON key). It is not damage — the bytes are very likely exactly as they were written — so nothing may cut,
 * repair, overwrite or skip them: read them with a Cairn at least as new as the one that wrote them.
 *
 * <p>Distinct from {@link JournalCorruptedException} and the other "corrupt" types, which say the bytes are not
 * what was written. A caller tells them apart by type, never by message.
 */
public final class FormatTooNewException extends CairnException {
    private static final long serialVersionUID = 1L;

    private final String resource;
    private final long seq;
    private final String format;
    private final int foundVersion;
    private final int newestVersion;
    private final String unknown;
    private final String refusal;

    private FormatTooNewException(String refusal, String resource, long seq, String format, int foundVersion,
                                  int newestVersion, String unknown, Throwable cause) {
        super((refusal == null ? "" : refusal + ": ")
                + message(resource, seq, format, foundVersion, newestVersion, unknown), cause);
        this.refusal = refusal;
        this.resource = resource;
        this.seq = seq;
        this.format = format;
        this.foundVersion = foundVersion;
        this.newestVersion = newestVersion;
        this.unknown = unknown;
    }

    /**
     * A format version above the newest this Cairn reads.
     *
     * @param resource      where the bytes are: a file, or a journal position
     * @param seq           the journal seq of the record; 0 when the bytes are not a journal record
     * @param format        the format's name ({@code Cairn journal record}, {@code cairn-tar-record} ...)
     * @param foundVersion  the version the bytes say they are
     * @param newestVersion the newest version this Cairn reads
     */
    public static FormatTooNewException newerVersion(String resource, long seq, String format, int foundVersion,
                                                     int newestVersion) {
        return new FormatTooNewException(null, resource, seq, format, foundVersion, newestVersion, null, null);
    }

    /**
     * A version this Cairn reads, holding something it does not know.
     *
     * @param version the version the bytes say they are (one this Cairn reads)
     * @param unknown what is unknown, e.g. {@code event type 'LayerFrobbed'} or {@code key 'owner' of a LayerCreated}
     */
    public static FormatTooNewException unknownPart(String resource, long seq, String format, int version,
                                                    String unknown) {
        return new FormatTooNewException(null, resource, seq, format, version, version, unknown, null);
    }

    /** The same finding, placed: at journal record {@code seq} found at {@code resource}; this one as the cause. */
    public FormatTooNewException at(String resource, long seq) {
        return new FormatTooNewException(refusal, resource, seq, format, foundVersion, newestVersion, unknown, this);
    }

    /** A copy of this finding with a stack trace of the calling thread; this one as the cause. */
    public FormatTooNewException copy() {
        return at(resource, seq);
    }

    /**
     * The same finding as the reason something was not done, which the message then says first: e.g.
     * {@code repair refused: Cairn journal record seq 7 (...) is too new: ...}. This one is the cause.
     */
    public FormatTooNewException refusing(String what) {
        return new FormatTooNewException(what, resource, seq, format, foundVersion, newestVersion, unknown, this);
    }

    /** Where the bytes are: a file, or a journal position (cycle file and index). */
    public String resource() {
        return resource;
    }

    /** The journal seq of the record; 0 when the bytes are not a journal record. */
    public long seq() {
        return seq;
    }

    /** The format's name. */
    public String format() {
        return format;
    }

    /** The version the bytes say they are. */
    public int foundVersion() {
        return foundVersion;
    }

    /** The newest version of the format this Cairn reads. */
    public int newestVersion() {
        return newestVersion;
    }

    /** What this Cairn does not know inside a version it reads; null when the version itself is newer. */
    public String unknownPart() {
        return unknown;
    }

    private static String message(String resource, long seq, String format, int found, int newest, String unknown) {
        String where = format + (seq > 0 ? " seq " + seq : "") + " (" + resource + ")";
        String what = unknown == null
                ? "format version " + found + ", this Cairn reads versions up to " + newest
                : unknown + " is unknown to this Cairn (format version " + found + ")";
        return where + " is too new: " + what + "; it was written by a newer Cairn, which is needed to read it";
    }
}
