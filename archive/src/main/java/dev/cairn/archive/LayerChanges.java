package dev.cairn.archive;

import dev.cairn.model.Change;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a layer adds, modifies and deletes relative to the layers below it, computed from manifests (as
 * containers/storage's {@code Changes} and {@code podman diff} report it):
 * <ul>
 * <li>every path the layer gives (whiteouts aside) is {@link Change.Kind#MODIFIED} if the merged layers below have
 *     it, else {@link Change.Kind#ADDED} — parent directories a tar repeats count as modified, as they do there;</li>
 * <li>a whiteout {@code DIR/.wh.NAME} is a {@link Change.Kind#DELETED} of {@code DIR/NAME}, unless the layer gives
 *     {@code DIR/NAME} again (a file replaced by a directory, say), which is then one modification;</li>
 * <li>an opaque directory deletes each child the layers below had there and the layer does not give again.</li>
 * </ul>
 * The layer root itself is never reported. Changes come parents first, each path once. Thread-safe (no state).
 */
public final class LayerChanges {

    private LayerChanges() {
    }

    /**
     * The changes of {@code layer} stacked on {@code below} (bottom first, empty for a base layer).
     *
     * @throws CorruptManifestException                  if a manifest is damaged
     * @throws dev.cairn.model.UnsafeArchiveException if a manifest holds a path that is not clean
     */
    public static List<Change> of(List<ChainLayer> below, ChainLayer layer) throws IOException {
        MergedTree lower = MergedTree.of(below);
        Map<String, Manifest.Entry> last = MergedTree.lastEntries(layer.manifest(), Manifest.read(layer.manifest()));
        Set<String> given = new HashSet<>();
        TreeMap<String, Change.Kind> out = new TreeMap<>(MergedTree.PATH_ORDER);
        for (Map.Entry<String, Manifest.Entry> kv : last.entrySet()) {
            String key = kv.getKey();
            if (!key.isEmpty() && MergedTree.whiteoutTarget(key) == null
                    && kv.getValue().type() != Manifest.EntryType.OTHER) {
                given.add(key);
                out.put(key, lower.contains(key) ? Change.Kind.MODIFIED : Change.Kind.ADDED);
            }
        }
        for (String key : last.keySet()) {
            String removes = MergedTree.whiteoutTarget(key);
            if (removes == null || removes.isEmpty()) {
                continue;
            }
            if (removes.endsWith("/")) {
                for (String child : lower.children(removes.substring(0, removes.length() - 1))) {
                    if (!given.contains(child)) {
                        out.put(child, Change.Kind.DELETED);
                    }
                }
            } else if (!given.contains(removes)) {
                out.put(removes, Change.Kind.DELETED);
            }
        }
        List<Change> changes = new ArrayList<>(out.size());
        out.forEach((k, v) -> changes.add(new Change(v, "/" + k)));
        return changes;
    }
}
