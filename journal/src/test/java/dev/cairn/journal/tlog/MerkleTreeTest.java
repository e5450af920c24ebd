package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Merkle tree: known answers, agreement with the reference implementation at many sizes, the tree file. */
class MerkleTreeTest {

    @TempDir
    Path dir;

    private static MerkleTree referenceLeaves() throws IOException {
        MerkleTree tree = MerkleTree.inMemory();
        Rfc6962Vectors.LEAVES.forEach(tree::appendLeaf);
        return tree;
    }

    private static List<byte[]> leaves(int n, long seed) {
        Random random = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] leaf = new byte[random.nextInt(40)];
            random.nextBytes(leaf);
            out.add(leaf);
        }
        return out;
    }

    private static List<Digest> digests(List<byte[]> hashes) {
        return hashes.stream().map(Digest::ofBytes).toList();
    }

    @Test
    void theRootAtEverySizeIsThePublishedOne() throws IOException {
        try (MerkleTree tree = MerkleTree.inMemory()) {
            assertThat(tree.rootHash(0)).isEqualTo(Rfc6962Vectors.root(0));
            for (int n = 1; n <= 8; n++) {
                tree.appendLeaf(Rfc6962Vectors.LEAVES.get(n - 1));
                assertThat(tree.size()).isEqualTo(n);
                assertThat(tree.rootHash(n)).as("root of %d leaves, at the current size", n)
                        .isEqualTo(Rfc6962Vectors.root(n));
            }
            for (int n = 0; n <= 8; n++) {
                assertThat(tree.rootHash(n)).as("root of %d leaves, from a larger tree", n)
                        .isEqualTo(Rfc6962Vectors.root(n));
            }
        }
    }

    @Test
    void everyCompleteSubtreeIsStoredAtItsPosition() throws IOException {
        try (MerkleTree tree = referenceLeaves()) {
            for (int level = 0; level < Rfc6962Vectors.NODES.size(); level++) {
                List<String> row = Rfc6962Vectors.NODES.get(level);
                for (int index = 0; index < row.size(); index++) {
                    assertThat(Digest.ofBytes(tree.node(TreeFile.position(level, index))).hex())
                            .as("node at level %d, index %d", level, index).isEqualTo(row.get(index));
                }
            }
        }
    }

    @Test
    void thePublishedInclusionProofsAreReproduced() throws IOException {
        try (MerkleTree tree = referenceLeaves()) {
            for (Rfc6962Vectors.Inclusion v : Rfc6962Vectors.INCLUSIONS) {
                assertThat(tree.inclusionProof(v.index(), v.size())).as("leaf %d of %d", v.index(), v.size())
                        .isEqualTo(v.proof());
            }
        }
    }

    @Test
    void thePublishedConsistencyProofsAreReproduced() throws IOException {
        try (MerkleTree tree = referenceLeaves()) {
            for (Rfc6962Vectors.Consistency v : Rfc6962Vectors.CONSISTENCIES) {
                assertThat(tree.consistencyProof(v.size1(), v.size2())).as("%d to %d", v.size1(), v.size2())
                        .isEqualTo(v.proof());
            }
        }
    }

    @Test
    void everyRootAndProofUpTo70LeavesIsTheReferenceImplementations() throws IOException {
        List<byte[]> leaves = leaves(70, 1);
        try (MerkleTree tree = MerkleTree.inMemory()) {
            leaves.forEach(tree::appendLeaf);
            for (int n = 1; n <= leaves.size(); n++) {
                List<byte[]> d = leaves.subList(0, n);
                Digest root = Digest.ofBytes(ReferenceTree.mth(d));
                assertThat(tree.rootHash(n)).as("root of %d", n).isEqualTo(root);
                for (int m = 0; m < n; m++) {
                    InclusionProof proof = tree.inclusionProof(m, n);
                    assertThat(proof.path()).as("path of leaf %d in %d", m, n)
                            .isEqualTo(digests(ReferenceTree.path(m, d)));
                    proof.verifyLeaf(leaves.get(m), root);
                }
                for (int m = 1; m <= n; m++) {
                    ConsistencyProof proof = tree.consistencyProof(m, n);
                    assertThat(proof.path()).as("proof from %d to %d", m, n)
                            .isEqualTo(digests(ReferenceTree.proof(m, d)));
                    proof.verify(Digest.ofBytes(ReferenceTree.mth(leaves.subList(0, m))), root);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} leaves")
    @ValueSource(ints = {127, 128, 129, 1000, 1023, 1024, 1025, 4097})
    void proofsInLargerTreesAreTheReferenceImplementations(int n) throws IOException {
        List<byte[]> leaves = leaves(n, n);
        Random random = new Random(n);
        try (MerkleTree tree = MerkleTree.open(dir.resolve("merkle"))) {
            leaves.forEach(tree::appendLeaf);
            tree.flush();
            for (int probe = 0; probe < 12; probe++) {
                int size = 1 + random.nextInt(n);
                int m = random.nextInt(size);
                List<byte[]> d = leaves.subList(0, size);
                assertThat(tree.inclusionProof(m, size).path()).as("path of leaf %d in %d", m, size)
                        .isEqualTo(digests(ReferenceTree.path(m, d)));
                int older = 1 + random.nextInt(size);
                assertThat(tree.consistencyProof(older, size).path()).as("proof from %d to %d", older, size)
                        .isEqualTo(digests(ReferenceTree.proof(older, d)));
            }
        }
    }

    @Test
    void aRootOrAProofAtAnySizeReadsLogarithmicallyManyHashes() throws IOException {
        int n = 300_000;
        Random random = new Random(5);
        try (MerkleTree tree = MerkleTree.inMemory()) {
            byte[] leaf = new byte[8];
            for (int i = 0; i < n; i++) {
                random.nextBytes(leaf);
                tree.appendLeaf(leaf);
            }
            for (int probe = 0; probe < 500; probe++) {
                long size = probe % 2 == 0 ? n : 1 + random.nextInt(n);
                int bound = 2 * (64 - Long.numberOfLeadingZeros(size)) + 2;
                long before = tree.reads();
                tree.rootHash(size);
                assertThat(tree.reads() - before).as("root at %d", size).isLessThanOrEqualTo(bound);
                before = tree.reads();
                tree.inclusionProof(random.nextInt((int) size), size);
                assertThat(tree.reads() - before).as("inclusion proof at %d", size).isLessThanOrEqualTo(bound);
                before = tree.reads();
                tree.consistencyProof(1 + random.nextInt((int) size), size);
                assertThat(tree.reads() - before).as("consistency proof at %d", size).isLessThanOrEqualTo(bound);
            }
        }
    }

    @Test
    void aReopenedTreeFileAnswersAsTheTreeThatWroteIt() throws IOException {
        Path file = dir.resolve("merkle");
        List<byte[]> leaves = leaves(1500, 7);
        Digest root;
        InclusionProof inclusion;
        ConsistencyProof consistency;
        try (MerkleTree tree = MerkleTree.open(file)) {
            leaves.forEach(tree::appendLeaf);
            tree.flush();
            root = tree.rootHash(1500);
            inclusion = tree.inclusionProof(777, 1300);
            consistency = tree.consistencyProof(333, 1499);
        }
        assertThat(Files.size(file)).isEqualTo(TreeFile.HEADER_SIZE + TreeFile.entriesFor(1500) * TreeFile.ENTRY_SIZE);
        try (MerkleTree tree = MerkleTree.open(file)) {
            assertThat(tree.size()).isEqualTo(1500);
            assertThat(tree.rootHash(1500)).isEqualTo(root);
            assertThat(tree.inclusionProof(777, 1300)).isEqualTo(inclusion);
            assertThat(tree.consistencyProof(333, 1499)).isEqualTo(consistency);
            tree.appendLeaf("one more".getBytes(StandardCharsets.UTF_8));
            assertThat(tree.rootHash(1501)).isNotEqualTo(root);
            assertThat(tree.rootHash(1500)).isEqualTo(root);
        }
    }

    @Test
    void unflushedLeavesDoNotReachTheFile() throws IOException {
        Path file = dir.resolve("merkle");
        try (MerkleTree tree = MerkleTree.open(file)) {
            tree.appendLeaf(new byte[] {1});
            assertThat(Files.size(file)).isEqualTo(TreeFile.HEADER_SIZE);
            tree.flush();
            assertThat(Files.size(file)).isEqualTo(TreeFile.HEADER_SIZE + TreeFile.ENTRY_SIZE);
        }
    }

    @Test
    void aLastLeafWrittenOnlyInPartIsCutOffAtOpen() throws IOException {
        Path file = dir.resolve("merkle");
        try (MerkleTree tree = MerkleTree.open(file)) {
            leaves(4, 3).forEach(tree::appendLeaf);
            tree.flush();
        }
        // leaf 4 wrote three entries (the leaf, the node above leaves 2 and 3, the root of all 4); keep two
        long partial = TreeFile.HEADER_SIZE + (TreeFile.entriesFor(4) - 1) * TreeFile.ENTRY_SIZE;
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(partial);
        }
        try (MerkleTree tree = MerkleTree.open(file)) {
            assertThat(tree.size()).isEqualTo(3);
            List<byte[]> first3 = leaves(4, 3).subList(0, 3);
            assertThat(tree.rootHash(3)).isEqualTo(Digest.ofBytes(ReferenceTree.mth(first3)));
        }
        assertThat(Files.size(file)).isEqualTo(TreeFile.HEADER_SIZE + TreeFile.entriesFor(3) * TreeFile.ENTRY_SIZE);
    }

    @Test
    void truncateAnswersAsTheSmallerTree() throws IOException {
        List<byte[]> leaves = leaves(20, 9);
        try (MerkleTree tree = MerkleTree.open(dir.resolve("merkle"))) {
            leaves.forEach(tree::appendLeaf);
            tree.flush();
            tree.truncate(13);
            assertThat(tree.size()).isEqualTo(13);
            assertThat(tree.rootHash(13)).isEqualTo(Digest.ofBytes(ReferenceTree.mth(leaves.subList(0, 13))));
            tree.appendLeaf(leaves.get(13));
            assertThat(tree.rootHash(14)).isEqualTo(Digest.ofBytes(ReferenceTree.mth(leaves.subList(0, 14))));
        }
    }

    @Test
    void sizesAndIndexesOutsideTheTreeAreRefused() throws IOException {
        try (MerkleTree tree = referenceLeaves()) {
            assertThatThrownBy(() -> tree.rootHash(9)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("beyond this tree's 8 leaves");
            assertThatThrownBy(() -> tree.inclusionProof(3, 3)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> tree.inclusionProof(-1, 3)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> tree.consistencyProof(0, 3)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> tree.consistencyProof(4, 3)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> tree.leafHash(8)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
