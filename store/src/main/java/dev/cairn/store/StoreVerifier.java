package dev.cairn.store;

import dev.cairn.archive.CorruptLayerException;
import dev.cairn.archive.CorruptManifestException;
import dev.cairn.archive.ManifestVerifier;
import dev.cairn.archive.TarRecord;
import dev.cairn.journal.Journal;
import dev.cairn.journal.VerifyReport;
import dev.cairn.model.BlobRef;
import dev.cairn.model.Digest;
import dev.cairn.model.ImageRecord;
import dev.cairn.model.Layer;
import dev.cairn.model.ProgressListener;
import dev.cairn.model.RecoveryPlan;
import dev.cairn.projection.LayerIndex;
import dev.cairn.store.internal.StoreLayout;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code verify}: the journal end to end (checksums, seq, chain), every layer's folder, with {@code deep} every
 * layer's contents against its manifest and its original tar against its diff digest; every blob an image holds
 * present with its size, with {@code deep} rehashed; and what recovery would do. Reads only. Stateless; thread-safe.
 */
final class StoreVerifier {

    private StoreVerifier() {
    }

    /**
     * @param index the index to check the folders of (caught up before the call)
     * @param plan  what recovery would do, reported as pending work
     * @throws dev.cairn.model.JournalCorruptedException at the first damaged record
     */
    static StoreVerifyReport verify(Journal journal, LayerIndex index, StoreLayout layout, boolean deep,
                                    RecoveryPlan plan, ProgressListener progress) throws IOException {
        VerifyReport journalReport = journal.verify();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        List<Layer> layers = index.layers();
        long total = deep ? layers.stream().mapToLong(Layer::diffSize).sum() : 0;
        long done = 0;
        for (Layer l : layers) {
            if (!layout.layerFolderExists(l.id())) {
                problems.add("layer " + l.id() + ": folder " + layout.layer(l.id()) + " is missing");
                continue;
            }
            if (deep) {
                problems.addAll(contentProblems(l, layout));
                checked++;
                done += l.diffSize();
                progress.progress(done, total);
            }
        }
        problems.addAll(blobProblems(index, layout, deep));
        return new StoreVerifyReport(journalReport.records(), journalReport.lastSeq(), journalReport.lastHash(),
                checked, problems, plan.steps());
    }

    /**
     * Each blob a committed image or a repository holds, once: present, of its size, and with {@code deep} of its
     * digest.
     */
    private static List<String> blobProblems(LayerIndex index, StoreLayout layout, boolean deep) throws IOException {
        List<String> problems = new ArrayList<>();
        java.util.Set<Digest> seen = new java.util.HashSet<>();
        for (ImageRecord image : index.images().images()) {
            for (BlobRef b : image.blobs()) {
                if (seen.add(b.digest())) {
                    checkBlob(layout, b, "image " + image.id(), deep, problems);
                }
            }
        }
        for (BlobRef b : index.registry().contents()) {
            if (seen.add(b.digest())) {
                checkBlob(layout, b, "a repository", deep, problems);
            }
        }
        return problems;
    }

    private static void checkBlob(StoreLayout layout, BlobRef b, String holder, boolean deep, List<String> problems)
            throws IOException {
        Optional<BlobRef> there = layout.blobs().stat(b.digest());
        if (there.isEmpty()) {
            problems.add(holder + ": blob " + b.digest() + " is missing (" + layout.blobs().path(b.digest()) + ")");
        } else if (there.get().size() != b.size()) {
            problems.add("blob " + b.digest() + ": " + there.get().size() + " bytes, " + holder + " says " + b.size()
                    + " (" + layout.blobs().path(b.digest()) + ")");
        } else if (deep) {
            Digest actual = hash(layout, b.digest());
            if (!actual.equals(b.digest())) {
                problems.add("blob " + b.digest() + ": its bytes hash to " + actual + " ("
                        + layout.blobs().path(b.digest()) + ")");
            }
        }
    }

    private static Digest hash(StoreLayout layout, Digest digest) throws IOException {
        MessageDigest md = Digest.newSha256();
        try (SeekableByteChannel ch = layout.blobs().open(digest)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return Digest.ofBytes(md.digest());
    }

    /**
     * One layer's damage, one line per damaged path in plain words; the other layers are still checked: an operator
     * wants the list. The tar is rebuilt only when the files agree with the manifest, so that a damaged file, which
     * the rebuild would meet again, is counted once; the rebuild then checks the tar record and the whole digest.
     */
    private static List<String> contentProblems(Layer l, StoreLayout layout) throws IOException {
        List<String> problems = new ArrayList<>();
        try {
            for (ManifestVerifier.Problem p : ManifestVerifier.verify(layout.layerDiff(l.id()),
                    layout.layerManifest(l.id()))) {
                problems.add("layer " + l.id() + ": " + describe(p));
            }
        } catch (CorruptManifestException e) {
            problems.add("layer " + l.id() + ": " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        try {
            TarRecord.reproduce(l.id().toString(), layout.layer(l.id()), l.diffDigest(), OutputStream.nullOutputStream());
        } catch (CorruptLayerException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    /** A manifest finding as a person says it: the path, what is wrong, the values. */
    static String describe(ManifestVerifier.Problem p) {
        String what = switch (p.kind()) {
            case MISSING -> "missing";
            case WRONG_TYPE -> "of the wrong type";
            case WRONG_SIZE -> "of the wrong size";
            case WRONG_CONTENT -> "changed (its contents no longer match)";
            case WRONG_LINK_TARGET -> "a symlink pointing elsewhere";
            case WRONG_MODE -> "of the wrong permissions";
            case NOT_LINKED -> "no longer a hardlink";
            case UNEXPECTED -> "not part of the layer";
        };
        return p.path() + " is " + what + (p.detail().isEmpty() ? "" : ": " + p.detail());
    }
}
