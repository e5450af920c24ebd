package dev.cairn.torture;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Who may work on what in a multi-process torture run: every layer and staging the parent knows belongs to at most
 * one holder (a {@link TortureChild} slot or the {@link CliLane}), so that no two processes ever race on one item
 * and the {@link Ledger} can tell what each returned call implies. A holder owns what its acknowledged calls made,
 * what it was given at the last check, and the stagings handed over to it. An item a call cut short by a kill may
 * or may not have changed belongs to no one until the next check says what it became. Not thread-safe: the run
 * serialises.
 */
final class Owners {

    /** What one holder owns; the sets are its own and change as it learns. */
    static final class Holdings {
        final Set<String> layers = new LinkedHashSet<>();
        /** Finished stagings, to apply or clean up. */
        final Set<String> staged = new LinkedHashSet<>();
        /** Applied stagings, to clean up. */
        final Set<String> applied = new LinkedHashSet<>();
        /** Images, to delete. */
        final Set<String> images = new LinkedHashSet<>();
        /**
         * Layers known to have no children and that cannot get any while this holder owns them (a layer gets
         * children only from its owner): those the last check found childless, and those made by a holder that
         * never stands layers on others (the CLI lane). Only these may be deleted where a refusal would count as a
         * failure.
         */
        final Set<String> childless = new LinkedHashSet<>();
    }

    private final Map<String, Holdings> holders = new LinkedHashMap<>();
    private final Set<String> madeChildless = new HashSet<>();

    /**
     * @param names         the holders
     * @param makeChildless the holders whose layers never get children (they never name a parent)
     */
    Owners(List<String> names, Set<String> makeChildless) {
        names.forEach(n -> holders.put(n, new Holdings()));
        madeChildless.addAll(makeChildless);
    }

    Holdings of(String holder) {
        return holders.get(holder);
    }

    /** The lines that tell a freshly started {@link TortureChild} what it owns ({@code L}, {@code S}, {@code C}). */
    List<String> ownershipLines(String holder) {
        Holdings h = holders.get(holder);
        List<String> lines = new ArrayList<>();
        h.layers.forEach(id -> lines.add("L " + id));
        h.staged.forEach(sid -> lines.add("S " + sid));
        h.applied.forEach(sid -> lines.add("C " + sid));
        h.images.forEach(id -> lines.add("I " + id));
        return lines;
    }

    /** Folds in what one life of a process of {@code holder} did. */
    void learn(String holder, Ledger.Learned learned) {
        Holdings h = holders.get(holder);
        for (String[] f : learned.acknowledged()) {
            switch (f[2]) {
                case "put", "create" -> made(holder, h, f[3]);
                case "stage" -> h.staged.add(f[3]);
                case "apply" -> {
                    h.staged.remove(f[3]);
                    h.applied.add(f[3]);
                    made(holder, h, f[4]);
                }
                case "cleanup" -> {
                    h.staged.remove(f[3]);
                    h.applied.remove(f[3]);
                }
                case "delete" -> {
                    h.layers.remove(f[3]);
                    h.childless.remove(f[3]);
                }
                case "image" -> h.images.add(f[3]);
                case "imagedelete" -> h.images.remove(f[3]);
                default -> { } // a name change changes no ownership
            }
        }
        for (String[] f : learned.cutShort()) {
            if (f.length > 3 && List.of("apply", "cleanup", "delete", "names", "imagedelete").contains(f[2])) {
                // Until the next check nobody knows whether it happened: nobody touches it.
                h.layers.remove(f[3]);
                h.childless.remove(f[3]);
                h.staged.remove(f[3]);
                h.applied.remove(f[3]);
                h.images.remove(f[3]);
            }
        }
    }

    private void made(String holder, Holdings h, String layer) {
        h.layers.add(layer);
        if (madeChildless.contains(holder)) {
            h.childless.add(layer);
        }
    }

    /** Moves a finished staging from one holder to another: the next to apply and clean it up. */
    void handOver(String staging, String from, String to) {
        holders.get(from).staged.remove(staging);
        holders.get(to).staged.add(staging);
    }

    /**
     * After a check, with every process dead: deals out every layer, finished staging and image the store holds, at
     * random, uncertain ones included (the check said what they became). Applied stagings stay with their holders:
     * the store does not list them, so only the holder whose apply returned knows them.
     */
    void dealOut(Set<String> layers, Set<String> staged, Set<String> childless, Set<String> images,
                 Random random) {
        List<Holdings> all = new ArrayList<>(holders.values());
        all.forEach(h -> {
            h.layers.clear();
            h.staged.clear();
            h.childless.clear();
            h.images.clear();
        });
        for (String id : images.stream().sorted().toList()) {
            all.get(random.nextInt(all.size())).images.add(id);
        }
        for (String id : layers.stream().sorted().toList()) {
            Holdings h = all.get(random.nextInt(all.size()));
            h.layers.add(id);
            if (childless.contains(id)) {
                h.childless.add(id);
            }
        }
        for (String sid : staged.stream().sorted().toList()) {
            all.get(random.nextInt(all.size())).staged.add(sid);
        }
    }
}
