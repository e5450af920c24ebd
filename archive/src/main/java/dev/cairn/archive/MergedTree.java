package dev.cairn.archive;

import dev.cairn.model.UnsafeArchiveException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The file tree a chain of layers gives when stacked, computed from their manifests alone (nothing on disk is read
 * or written here): what {@link LayerCheckout} materializes and what {@link LayerChanges} compares against.
 *
 * <h2>Rules, per layer, bottom first</h2>
 * <ol>
 * <li>A path that a layer's tar holds more than once counts once, as its last entry (the one extraction kept).</li>
 * <li>Whiteouts act on the layers below only: {@code DIR/.wh.NAME} removes {@code DIR/NAME} and everything under
 *     it; {@code DIR/.wh..wh..opq} removes everything under {@code DIR} but {@code DIR} itself. Other
 *     {@code .wh..wh.*} names (aufs bookkeeping) are ignored. No whiteout is ever a node of the tree.</li>
 * <li>The layer's other entries are then added parents first: a directory over a directory merges (the upper
 *     metadata wins, the contents stay); anything else replaces what was at the path, a whole directory included
 *     (file to directory and directory to file). A missing parent becomes a directory of mode 0755 owned by root
 *     with time 0, as a tar extractor would make it; a parent that is a file, symlink or device is refused.</li>
 * <li>Hardlinks come last, in tar order: a hardlink shares the <em>inode</em> of the regular file its target path
 *     holds at that point, so a file that an upper layer replaces leaves its former links with the old contents,
 *     as overlayfs copy-up does.</li>
 * </ol>
 * Keys are root-relative paths ({@code ""} is the root), ordered component by component, so a parent comes right
 * before its descendants. Not thread-safe.
 */
final class MergedTree {

    static final String OPAQUE = ".wh..wh..opq";
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String AUFS_META_PREFIX = ".wh..wh.";

    /** Parents before children: like string order, with {@code '/'} below every other character. */
    static final Comparator<String> PATH_ORDER = (a, b) -> {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return x == '/' ? -1 : y == '/' ? 1 : Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    };

    /** One file of the merged tree; several paths share one when hardlinked. Its contents are at {@code source}. */
    static final class Inode {
        final Manifest.Entry entry;
        final Path source;
        /** Where a checkout made this inode first; later paths link to it. */
        Path materialized;

        Inode(Manifest.Entry entry, Path source) {
            this.entry = entry;
            this.source = source;
        }
    }

    /**
     * A path of the tree.
     *
     * @param entry the manifest entry giving type and metadata (for a hardlink: its inode's file entry)
     * @param inode the shared file of a regular file or hardlink; null for other types
     */
    record Node(Manifest.Entry entry, Inode inode) {
        Manifest.EntryType type() {
            return entry.type();
        }
    }

    private final NavigableMap<String, Node> nodes = new TreeMap<>(PATH_ORDER);

    /** Stacks the chain's manifests, bottom first. */
    static MergedTree of(List<ChainLayer> chain) throws IOException {
        MergedTree tree = new MergedTree();
        for (ChainLayer layer : chain) {
            tree.apply(layer, Manifest.read(layer.manifest()));
        }
        return tree;
    }

    /** The nodes, parents before children; {@code ""} is the root when a layer gave it metadata. */
    NavigableMap<String, Node> nodes() {
        return nodes;
    }

    boolean contains(String path) {
        return nodes.containsKey(path);
    }

    /** The direct children of {@code dir} ({@code ""} for the root). */
    List<String> children(String dir) {
        List<String> out = new ArrayList<>();
        String prefix = dir.isEmpty() ? "" : dir + "/";
        for (String k : nodes.tailMap(dir, false).keySet()) {
            if (!k.startsWith(prefix)) {
                break;
            }
            if (!k.isEmpty() && k.indexOf('/', prefix.length()) < 0) {
                out.add(k);
            }
        }
        return out;
    }

    /** A manifest's entries, one per path (the last), in the tar order of those last entries. */
    static Map<String, Manifest.Entry> lastEntries(Path manifestFile, Manifest manifest) throws IOException {
        Map<String, Manifest.Entry> last = new LinkedHashMap<>();
        for (Manifest.Entry e : manifest.entries()) {
            String key = key(manifestFile, e.path());
            last.remove(key);
            last.put(key, e);
        }
        return last;
    }

    /** The root-relative key of a manifest path, checked: never absolute, never {@code ..}, never empty parts. */
    static String key(Path manifestFile, String path) throws UnsafeArchiveException {
        if (path.equals(".")) {
            return "";
        }
        String reason = null;
        if (path.isEmpty() || path.startsWith("/")) {
            reason = "the path is empty or absolute";
        } else if (path.indexOf('\0') >= 0) {
            reason = "the path contains a NUL byte";
        } else {
            for (String part : path.split("/", -1)) {
                if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                    reason = "the path has an empty, '.' or '..' component";
                    break;
                }
            }
        }
        if (reason != null) {
            throw new UnsafeArchiveException(path, reason + " (manifest " + manifestFile + ")");
        }
        return path;
    }

    static String parentOf(String key) {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? "" : key.substring(0, slash);
    }

    static String nameOf(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    /** What a whiteout entry removes, or null if {@code key} is not a whiteout; {@code DIR/} for an opaque one. */
    static String whiteoutTarget(String key) {
        String name = nameOf(key);
        if (name.equals(OPAQUE)) {
            String dir = parentOf(key);
            return dir + "/";
        }
        if (name.startsWith(AUFS_META_PREFIX)) {
            return "";
        }
        if (name.startsWith(WHITEOUT_PREFIX) && name.length() > WHITEOUT_PREFIX.length()) {
            return join(parentOf(key), name.substring(WHITEOUT_PREFIX.length()));
        }
        return null;
    }

    /** Stacks one more layer on the tree. */
    void apply(ChainLayer layer, Manifest manifest) throws IOException {
        Map<String, Manifest.Entry> last = lastEntries(layer.manifest(), manifest);
        List<String> added = new ArrayList<>();
        List<String> hardlinks = new ArrayList<>();
        for (Map.Entry<String, Manifest.Entry> kv : last.entrySet()) {
            String key = kv.getKey();
            String removes = whiteoutTarget(key);
            if (removes == null) {
                if (kv.getValue().type() == Manifest.EntryType.HARDLINK) {
                    hardlinks.add(key);
                } else if (kv.getValue().type() != Manifest.EntryType.OTHER) {
                    added.add(key);
                }
            } else if (removes.endsWith("/")) {
                String dir = removes.substring(0, removes.length() - 1);
                if (!dir.isEmpty() && !nodes.containsKey(dir)) {
                    continue;
                }
                removeSubtree(dir, false);
            } else if (!removes.isEmpty()) {
                removeSubtree(removes, true);
            }
        }
        added.sort(PATH_ORDER);
        for (String key : added) {
            Manifest.Entry e = last.get(key);
            Inode inode = e.type() == Manifest.EntryType.FILE ? new Inode(e, layer.diff().resolve(key)) : null;
            put(layer, key, new Node(e, inode));
        }
        for (String key : hardlinks) {
            Manifest.Entry e = last.get(key);
            String target = key(layer.manifest(), e.linkTarget());
            Node t = nodes.get(target);
            if (t == null || t.inode() == null) {
                throw new UnsafeArchiveException(key, "a hardlink to '" + e.linkTarget()
                        + "', which is not a regular file of the merged layers (manifest " + layer.manifest() + ")");
            }
            put(layer, key, t);
        }
    }

    private void put(ChainLayer layer, String key, Node node) throws UnsafeArchiveException {
        if (key.isEmpty()) {
            if (node.type() != Manifest.EntryType.DIRECTORY) {
                throw new UnsafeArchiveException(".", "the root is not a directory (manifest " + layer.manifest() + ")");
            }
            nodes.put(key, node);
            return;
        }
        ensureParents(layer, parentOf(key));
        Node old = nodes.get(key);
        if (old != null && !(old.type() == Manifest.EntryType.DIRECTORY
                && node.type() == Manifest.EntryType.DIRECTORY)) {
            removeSubtree(key, true);
        }
        nodes.put(key, node);
    }

    private void ensureParents(ChainLayer layer, String dir) throws UnsafeArchiveException {
        if (dir.isEmpty()) {
            return;
        }
        Node existing = nodes.get(dir);
        if (existing != null) {
            if (existing.type() != Manifest.EntryType.DIRECTORY) {
                throw new UnsafeArchiveException(dir, "a parent of later entries is a " + existing.type().name()
                        .toLowerCase(java.util.Locale.ROOT) + " in the merged layers, and checkout never writes"
                        + " through it (manifest " + layer.manifest() + ")");
            }
            return;
        }
        ensureParents(layer, parentOf(dir));
        nodes.put(dir, new Node(implicitDirectory(dir), null));
    }

    static Manifest.Entry implicitDirectory(String key) {
        return new Manifest.Entry(Manifest.EntryType.DIRECTORY, '5', key, 0755, 0, 0, "", "", Instant.EPOCH, 0, "",
                0, 0, Map.of(), null);
    }

    /** Removes {@code key} (if {@code self}) and everything under it; {@code ""} is the root. */
    private void removeSubtree(String key, boolean self) {
        String prefix = key.isEmpty() ? "" : key + "/";
        Iterator<Map.Entry<String, Node>> it = nodes.tailMap(key, true).entrySet().iterator();
        while (it.hasNext()) {
            String k = it.next().getKey();
            if (k.equals(key)) {
                if (self) {
                    it.remove();
                }
            } else if (k.startsWith(prefix)) {
                it.remove();
            } else {
                break;
            }
        }
    }
}
