package dev.cairn.torture;

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

/**
 * What the parent of {@link TortureChild}ren knows about their store: the state every acknowledged call implies
 * (acknowledged &rArr; durable), the calls cut short (each may show its before or its after, nothing else), and
 * the violations found so far. {@link #learn} folds a child's lines in; {@link #check} reopens the store (which
 * recovers it), checks {@link StoreInvariants} and compares the store with the ledger, after which the ledger
 * holds exactly what the store holds.
 */
final class Ledger {

    private final Map<String, Set<String>> layers = new HashMap<>();
    private final Set<String> deleted = new HashSet<>();
    private final Set<String> staged = new HashSet<>();
    private final Set<String> cleaned = new HashSet<>();
    private final List<String[]> cutShort = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();

    /** Everything found wrong so far, each naming its round; the caller adds its own (a child that would not die). */
    List<String> violations() {
        return violations;
    }

    /** How many layers the ledger knows now. */
    int layers() {
        return layers.size();
    }

    /** Folds a child's lines into what the parent knows; returns how many calls returned. */
    int learn(List<String> said, String where) {
        Map<String, String[]> open = new HashMap<>();
        int acks = 0;
        for (String line : said) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "B" -> open.put(f[1], f);
                case "F" -> open.remove(f[1]);
                case "E" -> violations.add(where + "unexpected error: " + line);
                case "A" -> {
                    open.remove(f[1]);
                    acks++;
                    acknowledged(f);
                }
                case "READY" -> { }
                default -> violations.add(where + "unreadable line from the child: " + line);
            }
        }
        cutShort.addAll(open.values());
        return acks;
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
        Map<String, Set<String>> seen = new HashMap<>();
        for (Layer l : store.layers()) {
            seen.put(l.id().hex(), new TreeSet<>(l.names()));
        }
        Set<String> stagedNow = new HashSet<>();
        for (StagedLayer s : store.staged()) {
            stagedNow.add(s.id().hex());
        }
        Set<String> touched = new HashSet<>();
        Set<String> newNames = new HashSet<>();
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
                    && !e.getValue().equals(renamed.get(e.getKey()))) {
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
        // From here on the parent knows exactly what the store holds.
        layers.clear();
        layers.putAll(seen);
        staged.clear();
        staged.addAll(stagedNow);
        cutShort.clear();
    }
}
