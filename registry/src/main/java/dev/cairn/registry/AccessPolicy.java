package dev.cairn.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may do what to which repository: users from an htpasswd file (bcrypt, see {@code docs/REGISTRY.md}) and rules
 * granting {@link Right rights} on repository patterns. Immutable and thread-safe.
 *
 * <h2>The access file</h2>
 * One rule a line, {@code #} starts a comment:
 * <pre>
 * # pattern     who            rights
 * **            *              pull              every signed-in user may pull everything
 * public/**     anonymous      pull              so may anyone, without credentials, under public/
 * team/**       alice,bob      pull,push
 * **            admin          pull,push,delete
 * </pre>
 * <ul>
 *   <li><b>pattern</b>: a repository name in which {@code *} stands for any part of one path component and {@code **}
 *       for any number of whole components ({@code team/**} is {@code team} and everything under it).</li>
 *   <li><b>who</b>: comma-separated users of the htpasswd file, {@code *} for any signed-in user, {@code anonymous}
 *       for requests without credentials.</li>
 *   <li><b>rights</b>: comma-separated {@code pull} (read blobs, manifests, tags, referrers), {@code push} (upload
 *       blobs, push manifests and tags) and {@code delete} (blobs, manifests, tags).</li>
 * </ul>
 * A request's rights on a repository are the union of the rules that match it; there are no deny rules, so the order
 * of lines does not matter. Without an access file every signed-in user may pull, push and delete everything and
 * anonymous requests may do nothing (what CNCF distribution does with htpasswd), plus any anonymous pull patterns given.
 * A rule naming a user the htpasswd file lacks is refused when loading: it is a typo until proven otherwise.
 */
public final class AccessPolicy {

    /** What a request may do to a repository. */
    public enum Right {
        /** Read blobs, manifests, tags and referrers. */
        PULL,
        /** Upload blobs (and mount them from repositories one may pull), push manifests and tags. */
        PUSH,
        /** Delete blobs, manifests and tags. */
        DELETE
    }

    private record Rule(Pattern pattern, boolean everything, Set<String> who, Set<Right> rights) {
        boolean appliesTo(String principal) {
            if (who.contains(principal)) {
                return true;
            }
            return who.contains("*") && !principal.equals(AuditContext.ANONYMOUS);
        }
    }

    private final Optional<Htpasswd> users;
    private final List<Rule> rules;

    private AccessPolicy(Optional<Htpasswd> users, List<Rule> rules) {
        this.users = users;
        this.rules = List.copyOf(rules);
    }

    /** No authentication: every request, anonymous, may do everything (for a registry on loopback, or in tests). */
    public static AccessPolicy open() {
        return new AccessPolicy(Optional.empty(), List.of(new Rule(compile("**"), true, Set.of(AuditContext.ANONYMOUS),
                EnumSet.allOf(Right.class))));
    }

    /**
     * Users from an htpasswd file, rights from an access file (or, without one, every right for every signed-in user),
     * and anonymous pull on the given patterns.
     *
     * @throws IOException naming the file and line of anything it cannot read
     */
    public static AccessPolicy load(Path htpasswd, Optional<Path> accessFile, List<String> anonymousPull)
            throws IOException {
        Htpasswd users = Htpasswd.load(htpasswd);
        List<Rule> rules = new ArrayList<>();
        if (accessFile.isPresent()) {
            List<String> lines = Files.readAllLines(accessFile.get(), StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                int hash = line.indexOf('#');
                String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
                if (!text.isEmpty()) {
                    rules.add(parseRule(text, accessFile.get() + " line " + (i + 1), users));
                }
            }
        } else {
            rules.add(new Rule(compile("**"), true, Set.of("*"), EnumSet.allOf(Right.class)));
        }
        for (String p : anonymousPull) {
            rules.add(new Rule(compilePattern(p, "anonymous pull pattern"), p.equals("**"),
                    Set.of(AuditContext.ANONYMOUS), EnumSet.of(Right.PULL)));
        }
        return new AccessPolicy(Optional.of(users), rules);
    }

    private static Rule parseRule(String text, String where, Htpasswd users) throws IOException {
        String[] f = text.split("\\s+");
        if (f.length != 3) {
            throw new IOException(where + ": want 'pattern who rights', got '" + text + "'");
        }
        Set<String> who = Set.of(f[1].split(","));
        for (String w : who) {
            if (!w.equals("*") && !w.equals(AuditContext.ANONYMOUS) && !users.knows(w)) {
                throw new IOException(where + ": user " + w + " is not in the htpasswd file");
            }
        }
        Set<Right> rights = EnumSet.noneOf(Right.class);
        for (String r : f[2].split(",")) {
            try {
                rights.add(Right.valueOf(r.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": '" + r + "' is no right (want pull, push or delete)");
            }
        }
        try {
            return new Rule(compilePattern(f[0], "pattern"), f[0].equals("**"), who, rights);
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + e.getMessage());
        }
    }

    private static Pattern compilePattern(String glob, String what) {
        if (!glob.matches("[a-z0-9._*/-]+") || glob.contains("//") || glob.startsWith("/") || glob.endsWith("/")) {
            throw new IllegalArgumentException("not a repository " + what + ": '" + glob + "'");
        }
        return compile(glob);
    }

    /** {@code **} any number of whole components (a trailing {@code /**} also matches the prefix itself); {@code *} any
     *  part of one component. */
    private static Pattern compile(String glob) {
        String[] parts = glob.split("/", -1);
        if (parts.length == 1 && parts[0].equals("**")) {
            return Pattern.compile(".*");
        }
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            boolean afterGlobstar = i > 0 && parts[i - 1].equals("**") && i - 1 < parts.length - 1;
            if (parts[i].equals("**")) {
                boolean last = i == parts.length - 1;
                re.append(last ? "(?:/.+)?" : (i == 0 ? "(?:[^/]+/)*" : "/(?:[^/]+/)*"));
                continue;
            }
            if (i > 0 && !afterGlobstar) {
                re.append('/');
            }
            for (char c : parts[i].toCharArray()) {
                re.append(c == '*' ? "[^/]*" : Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    /** Whether credentials are asked for at all ({@link #open()} asks none). */
    public boolean authenticates() {
        return users.isPresent();
    }

    /**
     * Checks a user's password.
     *
     * @return whether it is right; always false for an open policy, which knows no users
     */
    boolean authenticate(String user, byte[] password) {
        return users.isPresent() && users.get().verify(user, password);
    }

    /** Whether the principal ({@link AuditContext#ANONYMOUS} or a user who authenticated) has the right there. */
    public boolean allows(String principal, RepositoryName repository, Right right) {
        for (Rule r : rules) {
            if (r.rights().contains(right) && r.appliesTo(principal) && r.pattern().matcher(repository.value()).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the principal may pull from every repository there is (so may mount a blob without naming its source). */
    public boolean allowsEverywhere(String principal, Right right) {
        for (Rule r : rules) {
            if (r.everything() && r.rights().contains(right) && r.appliesTo(principal)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the principal has any right anywhere (then {@code /v2/} answers it 200 rather than 401). */
    boolean allowsAnything(String principal) {
        return rules.stream().anyMatch(r -> r.appliesTo(principal) && !r.rights().isEmpty());
    }
}
