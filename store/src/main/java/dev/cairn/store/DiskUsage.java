package dev.cairn.store;

import java.util.List;

/**
 * What a store holds on disk, by area, and how much of it {@link LayerStore#recover()} would remove now (what
 * {@code cairn prune} reclaims): {@code cairn df}. Sizes are the bytes of the regular files and symlinks, each
 * inode counted once.
 *
 * @param areas {@code layers}, {@code stagings}, {@code trash}, {@code journal}, {@code snapshots}, in that order
 */
public record DiskUsage(List<Area> areas) {

    public DiskUsage {
        areas = List.copyOf(areas);
    }

    /**
     * One area of the store.
     *
     * @param name              its name
     * @param count             what it holds: committed layers; staging folders; trash entries; journal files;
     *                          snapshot files
     * @param bytes             their size
     * @param reclaimableCount  how many of them recovery would remove now (dead processes' work, orphans; for
     *                          stagings also finished ones older than the store's staging age)
     * @param reclaimableBytes  their size
     */
    public record Area(String name, long count, long bytes, long reclaimableCount, long reclaimableBytes) {
    }

    /** The sum of every area's bytes. */
    public long totalBytes() {
        return areas.stream().mapToLong(Area::bytes).sum();
    }

    /** The sum of every area's reclaimable bytes. */
    public long reclaimableBytes() {
        return areas.stream().mapToLong(Area::reclaimableBytes).sum();
    }
}
