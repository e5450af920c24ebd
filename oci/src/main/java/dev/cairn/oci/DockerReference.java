package dev.cairn.oci;

import java.util.regex.Pattern;

/**
 * A Docker image reference with a tag, normalised as Docker and containers/image normalise it
 * ({@code ParseNormalizedNamed} then {@code TagNameOnly}): {@code busybox} is {@code docker.io/library/busybox:latest},
 * {@code example.com:5000/app} keeps its registry, no tag means {@code latest}. These are the names a docker-archive's
 * {@code RepoTags} hold. References by digest are refused: a docker-archive has no manifest to take a digest of.
 * Immutable and thread-safe.
 *
 * @param domain the registry host, {@code docker.io} where none is written
 * @param path   the repository path, {@code library/NAME} for a one-part Docker Hub name
 * @param tag    the tag, {@code latest} where none is written
 */
public record DockerReference(String domain, String path, String tag) {

    /** Docker Hub's canonical domain. */
    public static final String DOCKER_HUB = "docker.io";

    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                    + "(?::[0-9]+)?");
    private static final Pattern PATH = Pattern.compile(
            "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

    /**
     * Parses and normalises a reference such as {@code busybox}, {@code library/busybox:1.36} or
     * {@code example.com:5000/team/app:v3}.
     *
     * @throws IllegalArgumentException if it is not a valid tagged or name-only reference
     */
    public static DockerReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty image reference");
        }
        if (text.contains("@")) {
            throw new IllegalArgumentException("not a tagged reference: '" + text + "' (a reference by digest names a"
                    + " manifest, which a docker-archive does not have)");
        }
        String name = text;
        String tag = "latest";
        int colon = text.lastIndexOf(':');
        if (colon > text.lastIndexOf('/')) {
            name = text.substring(0, colon);
            tag = text.substring(colon + 1);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("not a valid tag: '" + tag + "' in '" + text + "'");
            }
        }
        if (HEX64.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + text + "': a 64-hex name looks like an image id, not a reference");
        }
        String domain = DOCKER_HUB;
        String path = name;
        int slash = name.indexOf('/');
        if (slash >= 0) {
            String first = name.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")
                    || !first.equals(first.toLowerCase(java.util.Locale.ROOT))) {
                domain = first;
                path = name.substring(slash + 1);
            }
        }
        if (domain.equals("index.docker.io")) {
            domain = DOCKER_HUB;
        }
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (!DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("not a valid registry: '" + domain + "' in '" + text + "'");
        }
        if (!PATH.matcher(path).matches()) {
            throw new IllegalArgumentException("not a valid repository name: '" + path + "' in '" + text
                    + "' (lowercase letters, digits and . _ - separators)");
        }
        if (domain.length() + 1 + path.length() > 255) {
            throw new IllegalArgumentException("repository name longer than 255 characters: '" + text + "'");
        }
        return new DockerReference(domain, path, tag);
    }

    /** {@code domain/path}, the repository as containers/image names it. */
    public String name() {
        return domain + "/" + path;
    }

    /** The short form Docker shows: {@code busybox:latest} for {@code docker.io/library/busybox:latest}. */
    public String familiar() {
        String p = domain.equals(DOCKER_HUB) ? path.replaceFirst("^library/(?!.*/)", "") : name();
        return p + ":" + tag;
    }

    /** {@code domain/path:tag}, the form skopeo writes into {@code RepoTags}. */
    @Override
    public String toString() {
        return name() + ":" + tag;
    }
}
