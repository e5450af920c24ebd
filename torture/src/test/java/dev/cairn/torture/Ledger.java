package dev.cairn.torture;

import dev.cairn.model.Event;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.Layer;
import dev.cairn.store.LayerStore;
import dev.cairn.store.StagedLayer;
import dev.cairn.store.StoreInvariants;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What the parent of the torture children knows about their store: the state every acknowledged call implies
 * (acknowledged &rArr; durable), the calls cut short (each may show its before or its after, nothing else), and
 * the violations found so far. {@link #learn} folds in the lines of one process's life ({@link TortureChild}'s
 * protocol, which {@link CliLane} also writes for each {@code cairn} command); {@link #check} reopens the store
 * (which recovers it), checks {@link StoreInvariants} and compares the store with the ledger, after which the ledger
 * holds exactly what the store holds.
 *
 * <p>The calls of different processes may be learned in any order as long as no two of them touch the same layer or
 * staging, except one after the other: a staging printed by one process's {@code stage} and applied by another's is
 * learned from the first before it is handed to the second. Not thread-safe: its caller serialises.
 */
final class Ledger {

    /** What one process's lines said: the calls that returned and the calls the kill cut short. */
    record Learned(List<String[]> acknowledged, List<String[]> cutShort) {
    }

    private final Map<String, Set<String>> layers = new HashMap<>();
    private final Map<String, String> parents = new HashMap<>();
    private final Set<String> deleted = new HashSet<>();
    private final Set<String> staged = new HashSet<>();
    private final Set<String> cleaned = new HashSet<>();
    /** Images by id, each with its names. */
    private final Map<String, Set<String>> images = new HashMap<>();
    private final Set<String> deletedImages = new HashSet<>();
    /** Layers some image stood on at the last check: their deletes are refused. */
    private final Set<String> usedByImages = new HashSet<>();
    /** Stagings an image import made, which recovery removes (finished or not) once their process is dead. */
    private final Set<String> ephemeral = new HashSet<>();
    private final List<String[]> cutShort = new ArrayList<>();
    private final List<String> violations;
    /** Stagings whose {@code DiffStaged} the journal holds, up to {@link #scannedSeq}. */
    private final Set<String> finished = new HashSet<>();
    private long scannedSeq;

    Ledger() {
        this(new ArrayList<>());
    }

    /** A ledger that adds what it finds to {@code violations} (shared by the ledgers of a run's several stores). */
    Ledger(List<String> violations) {
        this.violations = violations;
    }

    /** Everything found wrong so far, each naming its round; the caller adds its own (a child that would not die). */
    List<String> violations() {
        return violations;
    }

    /** How many layers the ledger knows now. */
    int layers() {
        return layers.size();
    }

    /** The layers the ledger knows now, each with its names. */
    Map<String, Set<String>> layerNames() {
        return Map.copyOf(layers);
    }

    /** The finished stagings the ledger knows now (acknowledged, or found by the last check). */
    Set<String> staged() {
        return Set.copyOf(staged);
    }

    /** Layers that had no children and that no image stood on at the last check: a delete of one must succeed. */
    Set<String> childlessAtCheck() {
        Set<String> childless = new HashSet<>(layers.keySet());
        childless.removeAll(parents.values());
        childless.removeAll(usedByImages);
        return childless;
    }

    /** The images the ledger knows now. */
    Set<String> images() {
        return Set.copyOf(images.keySet());
    }

    /**
     * Folds the lines of one process's life into what the parent knows. A call refused that the workload makes so
     * that it must succeed (every call but the delete of a layer with children) is a violation, and so is every
     * unexpected error; a refusal or error of the apply or cleanup of an acknowledged staging says so, since a
     * printed staging id must stay usable until it is applied or cleaned up. {@code N} lines are notes.
     */
    Learned learn(List<String> said, String where) {
        Map<String, String[]> open = new HashMap<>();
        List<String[]> acks = new ArrayList<>();
        for (String line : said) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "B" -> open.put(f[1], f);
                case "F" -> {
                    String[] call = open.remove(f[1]);
                    boolean expected = f.length > 3 && f[2].equals("delete")
                            && (f[3].equals("LayerHasChildrenException") || f[3].equals("LayerInUseException"));
                    if (!expected) {
                        violations.add(where + refused(call, line));
                    }
                }
                case "E" -> violations.add(where + "unexpected error: " + refused(open.get(f[1]), line));
                case "A" -> {
                    open.remove(f[1]);
                    acks.add(f);
                    acknowledged(f);
                }
                case "READY", "N" -> { }
                default -> violations.add(where + "unreadable line from the child: " + line);
            }
        }
        cutShort.addAll(open.values());
        return new Learned(acks, List.copyOf(open.values()));
    }

    private String refused(String[] call, String line) {
        if (call != null && (call[2].equals("apply") || call[2].equals("cleanup")) && staged.contains(call[3])) {
            return "acknowledged staging " + call[3] + " could not be " + (call[2].equals("apply") ? "applied"
                    : "cleaned up") + ": " + line;
        }
        return "refused a call that must succeed: " + line + (call == null ? "" : " (" + String.join(" ", call)
                + ")");
    }

    private void acknowledged(String[] f) {
        switch (f[2]) {
            case "put", "create" -> layers.put(f[3], Set.of(f[4]));
            case "apply" -> {
                staged.remove(f[3]);
                layers.put(f[4], Set.of(f[5]));
            }
            case "stage" -> staged.add(f[3]);
            case "cleanup" -> {
                staged.remove(f[3]);
                cleaned.add(f[3]);
            }
            case "delete" -> {
                layers.remove(f[3]);
                deleted.add(f[3]);
            }
            case "names" -> layers.put(f[3], names(f[4]));
            case "image" -> {
                images.put(f[3], Set.of(f[4]));
                for (String l : f[5].split(",")) {
                    layers.putIfAbsent(l, Set.of());
                }
            }
            case "imagedelete" -> {
                images.remove(f[3]);
                deletedImages.add(f[3]);
            }
            default -> violations.add("unknown call acknowledged: " + String.join(" ", f));
        }
    }

    private static Set<String> names(String joined) {
        return joined.equals("-") ? Set.of() : new TreeSet<>(List.of(joined.split(",")));
    }

    /** Reopens (recovering) and checks every invariant; then what the store holds is what the parent knows. */
    void check(Path root, String where) {
        try (LayerStore store = LayerStore.open(root)) {
            compare(store, root, where);
        } catch (IOException | RuntimeException e) {
            violations.add(where + "the store failed after the restart: " + e);
        }
    }

    private void compare(LayerStore store, Path root, String where) throws IOException {
        try {
            StoreInvariants.check(store);
        } catch (AssertionError e) {
            violations.add(where + e.getMessage().replace('\n', ' '));
        }
        scanForDiscardedFinishedStagings(store, where);
        Map<String, Set<String>> seen = new HashMap<>();
        Map<String, String> parentsNow = new HashMap<>();
        for (Layer l : store.layers()) {
            seen.put(l.id().hex(), new TreeSet<>(l.names()));
            l.parent().ifPresent(p -> parentsNow.put(l.id().hex(), p.hex()));
        }
        Set<String> stagedNow = new HashSet<>();
        for (StagedLayer s : store.staged()) {
            stagedNow.add(s.id().hex());
        }
        Set<String> touched = new HashSet<>();
        Set<String> newNames = new HashSet<>();
        Set<String> cutImageLayers = new HashSet<>();
        Map<String, Set<String>> cutImages = new HashMap<>();
        Map<String, Set<String>> renamed = new HashMap<>();
        int newStagings = 0;
        for (String[] f : cutShort) {
            switch (f[2]) {
                case "put" -> {
                    newNames.add(f[3]);
                    newStagings++; // its stage may have finished before the kill
                }
                case "create" -> newNames.add(f[3]);
                case "apply" -> {
                    touched.add(f[3]);
                    newNames.add(f[4]);
                }
                case "stage" -> newStagings++;
                case "cleanup", "delete" -> touched.add(f[3]);
                case "image" -> {
                    cutImages.put(f[3], Set.of(f[4]));
                    cutImageLayers.addAll(List.of(f[5].split(",")));
                }
                case "imagedelete" -> touched.add(f[3]);
                case "names" -> {
                    touched.add(f[3]);
                    Set<String> before = layers.get(f[3]);
                    Set<String> after = seen.get(f[3]);
                    renamed.put(f[3], names(f[4]));
                    // before == null: the layer came from a call cut short earlier; the check below covers it
                    if (before != null && after != null && !after.equals(before)
                            && !after.equals(names(f[4]))) {
                        violations.add(where + "layer " + f[3] + " has names " + after + ", neither " + before
                                + " from before nor " + names(f[4]) + " from the name change cut short");
                    }
                    if (before != null && after == null) {
                        violations.add(where + "layer " + f[3] + " vanished during a name change");
                    }
                }
                default -> violations.add(where + "unknown call cut short: " + String.join(" ", f));
            }
        }
        for (Map.Entry<String, Set<String>> e : layers.entrySet()) {
            if (touched.contains(e.getKey())) {
                continue;
            }
            Set<String> now = seen.get(e.getKey());
            if (now == null) {
                violations.add(where + "acknowledged layer " + e.getKey() + " " + e.getValue() + " is missing");
            } else if (!now.equals(e.getValue())) {
                violations.add(where + "layer " + e.getKey() + " has names " + now + ", acknowledged "
                        + e.getValue());
            }
        }
        for (String id : deleted) {
            if (seen.containsKey(id)) {
                violations.add(where + "layer " + id + " was deleted (acknowledged) and is back");
            }
        }
        for (Map.Entry<String, Set<String>> e : seen.entrySet()) {
            if (!layers.containsKey(e.getKey()) && !(e.getValue().size() == 1
                    && newNames.contains(e.getValue().iterator().next()))
                    && !e.getValue().equals(renamed.get(e.getKey()))
                    && !(e.getValue().isEmpty() && cutImageLayers.contains(e.getKey()))) {
                violations.add(where + "layer " + e.getKey() + " " + e.getValue()
                        + " is there, but no call made it");
            }
        }
        for (String sid : staged) {
            if (!touched.contains(sid) && !stagedNow.contains(sid)) {
                violations.add(where + "acknowledged staging " + sid + " is gone");
            }
        }
        for (String sid : cleaned) {
            if (stagedNow.contains(sid) || Files.exists(root.resolve("staging").resolve(sid))) {
                violations.add(where + "staging " + sid + " was cleaned up (acknowledged) and is back");
            }
        }
        Set<String> unknownStagings = new LinkedHashSet<>(stagedNow);
        unknownStagings.removeAll(staged);
        for (String[] f : cutShort) {
            if (f[2].equals("cleanup") || f[2].equals("apply")) {
                unknownStagings.remove(f[3]);
            }
        }
        if (unknownStagings.size() > newStagings) {
            violations.add(where + "stagings " + unknownStagings + " are there, but only " + newStagings
                    + " stage calls were cut short");
        }
        Map<String, Set<String>> imagesNow = new HashMap<>();
        Set<String> usedNow = new HashSet<>();
        for (dev.cairn.model.ImageRecord i : store.images()) {
            imagesNow.put(i.id().hex(), new TreeSet<>(i.names()));
            i.layers().forEach(l -> usedNow.add(l.hex()));
        }
        for (Map.Entry<String, Set<String>> e : images.entrySet()) {
            Set<String> now = imagesNow.get(e.getKey());
            if (touched.contains(e.getKey())) {
                continue;
            }
            if (now == null) {
                violations.add(where + "acknowledged image " + e.getKey() + " " + e.getValue() + " is missing");
            } else if (!now.equals(e.getValue())) {
                violations.add(where + "image " + e.getKey() + " has names " + now + ", acknowledged "
                        + e.getValue());
            }
        }
        for (String id : deletedImages) {
            if (imagesNow.containsKey(id)) {
                violations.add(where + "image " + id + " was deleted (acknowledged) and is back");
            }
        }
        for (Map.Entry<String, Set<String>> e : imagesNow.entrySet()) {
            if (!images.containsKey(e.getKey()) && !e.getValue().equals(cutImages.get(e.getKey()))) {
                violations.add(where + "image " + e.getKey() + " " + e.getValue() + " is there, but no call made it");
            }
        }
        images.clear();
        images.putAll(imagesNow);
        usedByImages.clear();
        usedByImages.addAll(usedNow);
        // From here on the parent knows exactly what the store holds.
        layers.clear();
        layers.putAll(seen);
        parents.clear();
        parents.putAll(parentsNow);
        staged.clear();
        staged.addAll(stagedNow);
        cutShort.clear();
    }

    /**
     * A finished staging is durable until it is applied or cleaned up (DESIGN.md section 3); the torture workload
     * never lets one grow old, so a {@code StagingDiscarded} after its {@code DiffStaged} is a recovery that
     * decided from a stale view of the journal (issue 8), whether or not any process had printed its id — unless it
     * is an image import's (ephemeral), which goes when its process does. Reads the records added since the last
     * check.
     */
    private void scanForDiscardedFinishedStagings(LayerStore store, String where) throws IOException {
        try (Stream<JournalRecord> records = store.history(scannedSeq + 1)) {
            for (JournalRecord r : (Iterable<JournalRecord>) records::iterator) {
                if (r.event() instanceof Event.StagingStarted e && e.ephemeral()) {
                    ephemeral.add(e.staging().hex());
                } else if (r.event() instanceof Event.DiffStaged e) {
                    finished.add(e.staging().hex());
                } else if (r.event() instanceof Event.StagingDiscarded e && finished.contains(e.staging().hex())
                        && !ephemeral.contains(e.staging().hex())) {
                    violations.add(where + "finished staging " + e.staging() + " was discarded at seq " + r.seq()
                            + " (" + e.reason() + ")");
                }
                scannedSeq = r.seq();
            }
        }
    }
}
