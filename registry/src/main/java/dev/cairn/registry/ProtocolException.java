package dev.cairn.registry;

import java.util.Map;

/**
 * A request the protocol refuses before storage is asked anything: the spec's code, the HTTP status, a one-line
 * message, and headers to send with it. Thrown and caught inside the server only.
 */
final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;
    final transient ErrorCode code;
    final int status;
    final transient Map<String, String> headers;

    ProtocolException(ErrorCode code, String message) {
        this(code, code.status, message, Map.of());
    }

    ProtocolException(ErrorCode code, int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
        this.headers = headers;
    }
}
