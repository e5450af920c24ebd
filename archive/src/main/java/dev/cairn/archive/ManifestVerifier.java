package dev.cairn.archive;

import dev.cairn.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks an extracted layer folder against its {@link Manifest}, rehashing every regular file: what
 * {@code cairn verify --deep} runs. The expected tree is the manifest replayed with the extractor's rules (a later
 * entry replaces an earlier one and everything under it). Devices, fifos and other recorded-only entries are not
 * checked, nor are owners, times and xattrs. Links are never followed. Stateless and thread-safe; the folder must not
 * change while it is checked.
 */
public final class ManifestVerifier {

    private ManifestVerifier() {
    }

    /** What is wrong with one path. */
    public enum Kind {
        /** Nothing at a path the manifest names. */
        MISSING,
        /** Something of another type (file, directory, symlink) than recorded. */
        WRONG_TYPE,
        /** A regular file of another length than recorded. */
        WRONG_SIZE,
        /** A regular file whose sha256 differs from the recorded one. */
        WRONG_CONTENT,
        /** A symlink pointing elsewhere than recorded. */
        WRONG_LINK_TARGET,
        /** Permission, setuid, setgid or sticky bits differ. */
        WRONG_MODE,
        /** A hardlink that is a separate file rather than the same inode as its target. */
        NOT_LINKED,
        /** Something the manifest does not account for. */
        UNEXPECTED
    }

    /**
     * One finding.
     *
     * @param path   relative to the layer folder, as in the manifest
     * @param detail one line with the expected and the actual value
     */
    public record Problem(Kind kind, String path, String detail) {
        public Problem {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * Returns the differences between {@code diffDir} and {@code manifest}, in path order; empty if they agree.
     *
     * @throws CorruptManifestException if the manifest itself is damaged
     * @throws IOException              if the folder cannot be read
     */
    public static List<Problem> verify(Path diffDir, Path manifest) throws IOException {
        List<Manifest.Entry> entries = Manifest.read(manifest).entries();
        TreeMap<String, Integer> finalIndex = new TreeMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Manifest.Entry e = entries.get(i);
            if (e.type() == Manifest.EntryType.OTHER) {
                continue;
            }
            if (e.type() != Manifest.EntryType.DIRECTORY) {
                finalIndex.subMap(e.path() + "/", e.path() + "0").clear();
            }
            finalIndex.put(e.path(), i);
        }
        List<Problem> problems = new ArrayList<>();
        for (Map.Entry<String, Integer> f : finalIndex.entrySet()) {
            check(diffDir, entries, finalIndex, f.getValue(), problems);
        }
        findUnexpected(diffDir, finalIndex.keySet(), problems);
        return problems;
    }

    private static void check(Path root, List<Manifest.Entry> entries, Map<String, Integer> finalIndex, int index,
                              List<Problem> problems) throws IOException {
        Manifest.Entry e = entries.get(index);
        Path path = e.path().equals(".") ? root : root.resolve(e.path());
        BasicFileAttributes a = lstat(path);
        switch (e.type()) {
            case FILE -> {
                if (!present(e, a, "regular file", a != null && a.isRegularFile(), problems)) {
                    return;
                }
                if (a.size() != e.size()) {
                    problems.add(new Problem(Kind.WRONG_SIZE, e.path(), "size " + a.size() + ", recorded "
                            + e.size()));
                } else if (e.typeflag() != Manifest.SPARSE_TYPEFLAG) {
                    Digest actual = sha256(path);
                    if (!actual.equals(e.contentDigest())) {
                        problems.add(new Problem(Kind.WRONG_CONTENT, e.path(), "content " + actual + ", recorded "
                                + e.contentDigest()));
                    }
                }
                checkMode(path, e, problems);
            }
            case DIRECTORY -> {
                if (present(e, a, "directory", a != null && a.isDirectory(), problems)) {
                    checkMode(path, e, problems);
                }
            }
            case SYMLINK -> {
                if (present(e, a, "symlink", a != null && a.isSymbolicLink(), problems)) {
                    String actual = Files.readSymbolicLink(path).toString();
                    String expected = Path.of(e.linkTarget()).toString();
                    if (!actual.equals(expected)) {
                        problems.add(new Problem(Kind.WRONG_LINK_TARGET, e.path(), "points to '" + actual
                                + "', recorded '" + expected + "'"));
                    }
                }
            }
            case HARDLINK -> {
                if (!present(e, a, "regular file (hardlink)", a != null && a.isRegularFile(), problems)) {
                    return;
                }
                Integer targetIndex = finalIndex.get(e.linkTarget());
                if (targetIndex != null && targetIndex < index) {
                    BasicFileAttributes t = lstat(root.resolve(e.linkTarget()));
                    if (t != null && !Objects.equals(t.fileKey(), a.fileKey())) {
                        problems.add(new Problem(Kind.NOT_LINKED, e.path(), "not the same file as '"
                                + e.linkTarget() + "'"));
                    }
                }
            }
            default -> { }
        }
    }

    private static boolean present(Manifest.Entry e, BasicFileAttributes a, String expected, boolean typeMatches,
                                   List<Problem> problems) {
        if (a == null) {
            problems.add(new Problem(Kind.MISSING, e.path(), "no " + expected + " at this path"));
            return false;
        }
        if (!typeMatches) {
            problems.add(new Problem(Kind.WRONG_TYPE, e.path(), "a " + describe(a) + ", recorded a " + expected));
            return false;
        }
        return true;
    }

    private static void checkMode(Path path, Manifest.Entry e, List<Problem> problems) throws IOException {
        int actual = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        if (actual != e.mode()) {
            problems.add(new Problem(Kind.WRONG_MODE, e.path(), "mode " + Integer.toOctalString(actual)
                    + ", recorded " + Integer.toOctalString(e.mode())));
        }
    }

    private static void findUnexpected(Path root, Set<String> expected, List<Problem> problems) throws IOException {
        Set<String> ancestors = new HashSet<>();
        for (String p : expected) {
            for (int slash = p.indexOf('/'); slash > 0; slash = p.indexOf('/', slash + 1)) {
                ancestors.add(p.substring(0, slash));
            }
        }
        Map<String, String> found = new HashMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root)) {
                    visit(dir, attrs);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                visit(file, attrs);
                return FileVisitResult.CONTINUE;
            }

            private void visit(Path p, BasicFileAttributes attrs) {
                String rel = root.relativize(p).toString();
                if (!expected.contains(rel) && !ancestors.contains(rel)) {
                    found.put(rel, describe(attrs));
                }
            }
        });
        new TreeMap<>(found).forEach((rel, what) ->
                problems.add(new Problem(Kind.UNEXPECTED, rel, "a " + what + " the manifest does not record")));
    }

    private static String describe(BasicFileAttributes a) {
        return a.isSymbolicLink() ? "symlink" : a.isDirectory() ? "directory" : a.isRegularFile() ? "regular file"
                : "special file";
    }

    private static BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Digest sha256(Path file) throws IOException {
        MessageDigest sha = Digest.newSha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                sha.update(buf, 0, n);
            }
        }
        return Digest.ofBytes(sha.digest());
    }
}
