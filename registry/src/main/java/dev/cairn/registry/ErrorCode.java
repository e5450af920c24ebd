package dev.cairn.registry;

/**
 * The distribution spec's error codes, each with the HTTP status Cairn answers it with, plus {@link #UNKNOWN} for a
 * failure of the server itself (CNCF distribution's code for it).
 */
enum ErrorCode {
    BLOB_UNKNOWN(404),
    BLOB_UPLOAD_INVALID(400),
    BLOB_UPLOAD_UNKNOWN(404),
    DIGEST_INVALID(400),
    MANIFEST_BLOB_UNKNOWN(400),
    MANIFEST_INVALID(400),
    MANIFEST_UNKNOWN(404),
    NAME_INVALID(400),
    NAME_UNKNOWN(404),
    SIZE_INVALID(400),
    UNAUTHORIZED(401),
    DENIED(403),
    UNSUPPORTED(405),
    TOOMANYREQUESTS(429),
    UNKNOWN(500);

    /** The HTTP status the code is usually sent with; a few cases send it with another (413, 416). */
    final int status;

    ErrorCode(int status) {
        this.status = status;
    }
}
