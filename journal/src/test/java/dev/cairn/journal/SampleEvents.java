package dev.cairn.journal;

import dev.cairn.model.Actor;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.ImageId;
import dev.cairn.model.LayerId;
import dev.cairn.model.SagaOwner;
import dev.cairn.model.StagingId;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Events of every type, with nulls, lists and flag maps, for round-trip tests. */
final class SampleEvents {

    static final Actor ACTOR = new Actor("alice", "host-1", 4242, null, null);
    static final Actor PRINCIPAL = new Actor("svc", "host-2", 7, "registry-user", "req-17");

    private SampleEvents() {
    }

    static LayerId layer(int n) {
        return LayerId.of(Digest.sha256(("layer " + n).getBytes(StandardCharsets.UTF_8)).hex());
    }

    static StagingId staging(int n) {
        return StagingId.of(layer(n).hex().substring(0, 32));
    }

    static Digest digest(String text) {
        return Digest.sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** At least one event of each type in {@link Event#TYPES}, several with nulls or collections. */
    static List<Event> everyType() {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("pinned", true);
        flags.put("count", 3);
        flags.put("label", "ünïcode ✓");
        flags.put("nested", Map.of("k", List.of("a", "b")));
        flags.put("nothing", null);
        List<Event> events = new ArrayList<>(List.of(
                new Event.StagingStarted(staging(1), 123, "host-1"),
                new Event.StagingStarted(staging(2), 124, null),
                new Event.StagingStarted(staging(4), 125, "host-1", true),
                new Event.DiffStaged(staging(1), digest("diff"), 10240, digest("gz"), 2048, Compression.GZIP),
                new Event.StagingDiscarded(staging(2), "owner died"),
                new Event.StagingDiscarded(staging(3), null),
                new Event.StagingCleaned(staging(1)),
                new Event.LayerCreated(layer(1), null, List.of(), null, null),
                new Event.LayerCreated(layer(2), layer(1), List.of("app:latest", "app:1.0"), staging(1), "meta"),
                new Event.LayerCommitted(layer(1), digest("diff"), 10240, digest("zst"), 999L, Compression.ZSTD),
                new Event.LayerCommitted(layer(2), digest("empty"), 1024, null, null, null),
                new Event.LayerRolledBack(layer(3), "no commit"),
                new Event.LayerDeleteStarted(layer(2)),
                new Event.LayerDeleted(layer(2)),
                new Event.NamesSet(layer(1), List.of("base")),
                new Event.NamesSet(layer(1), List.of()),
                new Event.MetadataSet(layer(1), "{\"free\": \"text\"}"),
                new Event.FlagsSet(layer(1), flags),
                new Event.FlagsSet(layer(1), Map.of()),
                new Event.OrphanRemoved("layers/abc", "no event accounts for it"),
                new Event.OrphanRemoved("staging/x", null),
                new Event.JournalRepaired(41, 3, "checksum failed at seq 42", "journal.damaged-20261129T004800Z"),
                new Event.JournalArchived(1, 40, digest("last"), "/var/archive/journal-1-40.cairn", digest("file")),
                new Event.ImageCreated(image(1), digest("manifest"), "application/vnd.oci.image.manifest.v1+json", 653,
                        digest("config"), 586, List.of(layer(1), layer(2)), List.of(new BlobRef(digest("manifest"),
                        653), new BlobRef(digest("config"), 586), new BlobRef(digest("gz"), 2048)),
                        java.time.Instant.parse("2026-12-01T10:00:00Z"), new SagaOwner("0123456789abcdef0123456789abcdef",
                        123, "host-1")),
                new Event.ImageCreated(image(2), digest("m2"), "application/vnd.docker.distribution.manifest.v2+json",
                        400, digest("c2"), 300, List.of(), List.of(), null,
                        new SagaOwner("fedcba9876543210fedcba9876543210", 124, "host-2")),
                new Event.ImageCommitted(image(1), List.of("example/app:v3", "app:latest")),
                new Event.ImageCommitted(image(2), List.of()),
                new Event.ImageNamesSet(image(1), List.of("example/app:v4")),
                new Event.ImageRolledBack(image(2), "owner died"),
                new Event.ImageDeleteStarted(image(1), new SagaOwner("00112233445566778899aabbccddeeff", 1, "h")),
                new Event.ImageDeleted(image(1)),
                new Event.UploadStarted("team/app", "0123456789abcdef0123456789abcdef", "sha256"),
                new Event.UploadDiscarded("team/app", "0123456789abcdef0123456789abcdef", "idle since then"),
                new Event.BlobLinked("team/app", digest("blob").toString(), digest("blob"), 42,
                        "0123456789abcdef0123456789abcdef"),
                new Event.BlobLinked("team/other", "sha512:" + "ab".repeat(64), digest("blob"), 42, null),
                new Event.BlobUnlinked("team/app", digest("blob").toString()),
                new Event.ManifestPut("team/app", digest("manifest").toString(), digest("manifest"),
                        "application/vnd.oci.image.manifest.v1+json", 400, digest("subject").toString(),
                        List.of("v1", "latest"), image(2)),
                new Event.ManifestPut("team/app", digest("index").toString(), digest("index"),
                        "application/vnd.oci.image.index.v1+json", 300, null, List.of(), null),
                new Event.TagDeleted("team/app", "v1"),
                new Event.ManifestDeleted("team/app", digest("manifest").toString()),
                new Event.Pulled("team/app", "tag:latest " + digest("index"))));
        return events;
    }

    static ImageId image(int n) {
        return ImageId.of(Digest.sha256(("image " + n).getBytes(StandardCharsets.UTF_8)).hex());
    }
}
