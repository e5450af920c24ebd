package dev.cairn.oci;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Where an image is read from or written to, in the transport syntax of skopeo and the CLI:
 * {@code oci:DIR[:TAG]} (an OCI image layout; TAG is an {@code org.opencontainers.image.ref.name}) and
 * {@code docker-archive:FILE[:REF]} (a {@code docker save} tar; REF a Docker reference such as {@code app:v3}).
 * Either may name an image by position instead, {@code :@N} (the Nth entry of {@code index.json} or of
 * {@code manifest.json}, from 0), for reading only.
 *
 * <p><b>Colons.</b> As containers/image does on Linux, the text after the transport is split at its <em>first</em>
 * colon: what comes before is the path, what comes after the tag or reference. So a path cannot contain a colon
 * ({@code oci:/a:b:c} is the layout {@code /a} with tag {@code b:c}, a valid ref name); name such a path through a
 * symlink, or use the constructors, which take any path. Immutable and thread-safe.
 */
public sealed interface ImageReference permits ImageReference.Oci, ImageReference.DockerArchive {

    /** The transport name before the first colon. */
    String transport();

    /** The directory or file. */
    Path path();

    /**
     * Checks that this reference can name a destination: an image may be named by position ({@code :@N}) only to be
     * read.
     *
     * @throws IllegalArgumentException if it names a position
     */
    default void checkDestination() {
        boolean byPosition = this instanceof Oci o ? o.sourceIndex().isPresent()
                : ((DockerArchive) this).sourceIndex().isPresent();
        if (byPosition) {
            throw new IllegalArgumentException("'" + this + "': a destination cannot be named by position (:@N);"
                    + " name a tag instead");
        }
    }

    /**
     * An OCI image layout and, optionally, the tag (ref name) or index.json position of one image in it.
     * Without either, the layout must hold exactly one image.
     */
    record Oci(Path path, Optional<String> tag, OptionalInt sourceIndex) implements ImageReference {

        /** The grammar of {@code org.opencontainers.image.ref.name} (image spec, annotations). */
        private static final Pattern REF_NAME = Pattern.compile(
                "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*");

        public Oci {
            if (tag.isPresent() && sourceIndex.isPresent()) {
                throw new IllegalArgumentException("oci: a tag and a source index cannot both be given");
            }
            tag.ifPresent(Oci::checkRefName);
        }

        /**
         * @throws IllegalArgumentException if {@code name} is not of the ref-name grammar
         */
        static void checkRefName(String name) {
            if (!REF_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not a valid OCI ref name (tag): '" + name + "'");
            }
        }

        @Override
        public String transport() {
            return "oci";
        }

        @Override
        public String toString() {
            return "oci:" + path + tag.map(t -> ":" + t).orElse("")
                    + (sourceIndex.isPresent() ? ":@" + sourceIndex.getAsInt() : "");
        }
    }

    /**
     * A docker-archive file and, optionally, the reference (one of an item's {@code RepoTags}) or manifest.json
     * position of one image in it. Without either, the archive must hold exactly one image. As a destination, REF
     * becomes the image's {@code RepoTags} entry.
     */
    record DockerArchive(Path path, Optional<DockerReference> ref, OptionalInt sourceIndex) implements ImageReference {

        public DockerArchive {
            if (ref.isPresent() && sourceIndex.isPresent()) {
                throw new IllegalArgumentException("docker-archive: a reference and a source index cannot both be given");
            }
        }

        @Override
        public String transport() {
            return "docker-archive";
        }

        @Override
        public String toString() {
            return "docker-archive:" + path + ref.map(r -> ":" + r.familiar()).orElse("")
                    + (sourceIndex.isPresent() ? ":@" + sourceIndex.getAsInt() : "");
        }
    }

    /**
     * Parses {@code oci:DIR[:TAG|:@N]} or {@code docker-archive:FILE[:REF|:@N]}.
     *
     * @throws IllegalArgumentException with a one-line reason if the text is not such a reference
     */
    static ImageReference parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not an image reference: '" + text
                    + "' (want oci:DIR[:TAG] or docker-archive:FILE[:REF])");
        }
        String transport = text.substring(0, colon);
        String rest = text.substring(colon + 1);
        int split = rest.indexOf(':');
        String path = split < 0 ? rest : rest.substring(0, split);
        Optional<String> suffix = split < 0 ? Optional.empty() : Optional.of(rest.substring(split + 1));
        if (path.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "': no path after " + transport + ":");
        }
        OptionalInt index = OptionalInt.empty();
        if (suffix.isPresent() && suffix.get().startsWith("@")) {
            index = OptionalInt.of(sourceIndex(text, suffix.get().substring(1)));
            suffix = Optional.empty();
        }
        if (suffix.isPresent() && suffix.get().isEmpty()) {
            suffix = Optional.empty();
        }
        return switch (transport) {
            case "oci" -> new Oci(Path.of(path), suffix, index);
            case "docker-archive" -> new DockerArchive(Path.of(path), suffix.map(DockerReference::parse), index);
            default -> throw new IllegalArgumentException("unknown transport '" + transport + "' in '" + text
                    + "' (want oci: or docker-archive:)");
        };
    }

    private static int sourceIndex(String text, String digits) {
        try {
            int i = Integer.parseInt(digits);
            if (i >= 0) {
                return i;
            }
        } catch (NumberFormatException e) {
            // fall through to the one error below
        }
        throw new IllegalArgumentException("'" + text + "': @" + digits + " is not a source index (want @0, @1, ...)");
    }
}
