package dev.cairn.store;

import dev.cairn.model.LayerId;
import dev.cairn.model.RecoveryPlan;
import dev.cairn.model.StagingId;
import dev.cairn.projection.LayerEntry;
import dev.cairn.projection.LayerIndex;
import dev.cairn.store.internal.StoreLayout;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@link LayerStore#diskUsage()}: walks the store's folders, and charges each step of a recovery plan to the area
 * whose files it removes. Reads only. Stateless; thread-safe.
 */
final class StoreDiskUsage {

    private StoreDiskUsage() {
    }

    static DiskUsage of(StoreLayout layout, LayerIndex index, RecoveryPlan plan) throws IOException {
        Set<Path> layers = new LinkedHashSet<>();
        Set<Path> stagings = new LinkedHashSet<>();
        Set<Path> trash = new LinkedHashSet<>();
        for (RecoveryPlan.Step step : plan.steps()) {
            switch (step.action()) {
                case ROLL_BACK_LAYER -> layers.add(layout.layer(LayerId.of(step.subject())));
                case FINISH_DELETE -> {
                    LayerId id = LayerId.of(step.subject());
                    layers.add(layout.layer(id));
                    index.entry(id).map(LayerEntry::owner)
                            .ifPresent(o -> trash.add(layout.trash().resolve(o.lock())));
                }
                case DISCARD_STAGING, CLEAN_STAGING -> {
                    StagingId id = StagingId.of(step.subject());
                    stagings.add(layout.stagingFolder(id));
                    trash.add(layout.trash().resolve("staging-" + id.hex()));
                }
                case REMOVE_ORPHAN -> {
                    Path p = layout.root().resolve(step.subject());
                    (step.subject().startsWith("layers/") ? layers
                            : step.subject().startsWith("staging/") ? stagings : trash).add(p);
                }
            }
        }
        List<DiskUsage.Area> areas = new ArrayList<>();
        areas.add(area("layers", index.layers().size(), layout.layers(), layers));
        areas.add(area("stagings", entries(layout.staging()).size(), layout.staging(), stagings));
        areas.add(area("trash", entries(layout.trash()).size(), layout.trash(), trash));
        areas.add(area("journal", files(layout.journal()), layout.journal(), Set.of()));
        areas.add(area("snapshots", files(layout.snapshots()), layout.snapshots(), Set.of()));
        return new DiskUsage(areas);
    }

    private static DiskUsage.Area area(String name, long count, Path folder, Set<Path> reclaimable)
            throws IOException {
        long reclaimableBytes = 0;
        long reclaimableCount = 0;
        for (Path p : reclaimable) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                reclaimableBytes += bytes(p);
                reclaimableCount++;
            }
        }
        return new DiskUsage.Area(name, count, bytes(folder), reclaimableCount, reclaimableBytes);
    }

    private static List<Path> entries(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    private static long files(Path folder) throws IOException {
        long[] n = {0};
        walk(folder, (p, a) -> n[0]++);
        return n[0];
    }

    /** The bytes of the regular files and symlinks under {@code top}, each inode once; links are not followed. */
    static long bytes(Path top) throws IOException {
        Set<Object> seen = new HashSet<>();
        long[] total = {0};
        walk(top, (p, a) -> {
            if (a.fileKey() == null || seen.add(a.fileKey())) {
                total[0] += a.size();
            }
        });
        return total[0];
    }

    private interface Visitor {
        void file(Path p, BasicFileAttributes a);
    }

    private static void walk(Path top, Visitor v) throws IOException {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                    v.file(file, attrs);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // removed meanwhile by a writer
                }
                throw e;
            }
        });
    }
}
