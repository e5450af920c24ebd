package dev.cairn.model;

import java.util.Objects;

/**
 * One path a layer changes relative to its parent chain, as {@code podman diff} reports it.
 *
 * @param kind what happened to the path
 * @param path absolute inside the image, e.g. {@code /etc/passwd}
 */
public record Change(Kind kind, String path) {

    /** What a layer did to a path; {@link #code()} is the letter {@code podman diff} prints. */
    public enum Kind {
        /** Not present below, present in the layer. */
        ADDED('A'),
        /** Present below and given again by the layer (content, metadata or type may differ). */
        MODIFIED('C'),
        /** Present below and removed by a whiteout or an opaque directory. */
        DELETED('D');

        private final char code;

        Kind(char code) {
            this.code = code;
        }

        /** {@code A}, {@code C} or {@code D}. */
        public char code() {
            return code;
        }
    }

    public Change {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(path, "path");
    }

    /** {@code "A /path"}, as {@code podman diff} prints a change. */
    @Override
    public String toString() {
        return kind.code + " " + path;
    }
}
