package dev.cairn.projection;

import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.LayerId;
import dev.cairn.model.StagingId;

import java.time.Instant;

/**
 * A staged diff as the index knows it. Immutable. Digest fields are null while {@link StagingState#STARTED};
 * {@code pendingLayer} is the layer an unfinished apply is moving the contents into (null when none), and for an
 * {@link StagingState#APPLIED} staging the layer that now owns them. An {@code ephemeral} staging lives only as long
 * as its owner process ({@code Event.StagingStarted#ephemeral}).
 */
public record StagingEntry(StagingId id, StagingState state, long ownerPid, String ownerHost, Instant started,
                           Instant staged, Digest diffDigest, long diffSize, Digest compressedDigest,
                           long compressedSize, Compression compression, LayerId pendingLayer, boolean ephemeral) {

    StagingEntry with(StagingState s, LayerId layer) {
        return new StagingEntry(id, s, ownerPid, ownerHost, started, staged, diffDigest, diffSize, compressedDigest,
                compressedSize, compression, layer, ephemeral);
    }
}
