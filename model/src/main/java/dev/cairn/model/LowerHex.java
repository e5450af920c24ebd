package dev.cairn.model;

/** The check behind every id and digest type: exactly so many lowercase hex characters. Stateless. */
final class LowerHex {

    private LowerHex() {
    }

    /**
     * Whether {@code text} is exactly {@code length} characters of {@code [0-9a-f]}. (A loop rather than a regular
     * expression: ids are checked once per record read, and an open reads many.)
     */
    static boolean is(String text, int length) {
        if (text == null || text.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
