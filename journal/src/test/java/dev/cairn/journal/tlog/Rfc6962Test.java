package dev.cairn.journal.tlog;

import dev.cairn.model.Digest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6962 hashing: the published leaf hashes and the empty root; prefixes that keep leaves and nodes apart. */
class Rfc6962Test {

    @Test
    void leafHashesAreThePublishedOnes() {
        for (int i = 0; i < Rfc6962Vectors.LEAVES.size(); i++) {
            assertThat(Digest.ofBytes(Rfc6962.leafHash(Rfc6962Vectors.LEAVES.get(i)))).as("leaf %d", i)
                    .isEqualTo(Rfc6962Vectors.leafHash(i));
        }
    }

    @Test
    void aNodeHashIsTheHashOfOneAndBothChildren() {
        byte[] left = Rfc6962.leafHash(Rfc6962Vectors.LEAVES.get(0));
        byte[] right = Rfc6962.leafHash(Rfc6962Vectors.LEAVES.get(1));
        assertThat(Digest.ofBytes(Rfc6962.nodeHash(left, right))).isEqualTo(Rfc6962Vectors.root(2));
        assertThat(Rfc6962.nodeHash(left, right)).isEqualTo(ReferenceTree.sha256(new byte[] {1}, left, right));
    }

    @Test
    void theEmptyRootIsTheHashOfNothing() {
        assertThat(Digest.ofBytes(Rfc6962.emptyRoot())).isEqualTo(Rfc6962Vectors.root(0));
    }

    @Test
    void aLeafNeverHashesLikeTheNodeItsBytesSpellOut() {
        byte[] left = Rfc6962.leafHash(new byte[] {1});
        byte[] right = Rfc6962.leafHash(new byte[] {2});
        byte[] joined = new byte[64];
        System.arraycopy(left, 0, joined, 0, 32);
        System.arraycopy(right, 0, joined, 32, 32);
        assertThat(Rfc6962.leafHash(joined)).isNotEqualTo(Rfc6962.nodeHash(left, right));
    }

    @Test
    void theSplitPointIsTheLargestPowerOfTwoBelow() {
        assertThat(Rfc6962.splitPoint(2)).isEqualTo(1);
        assertThat(Rfc6962.splitPoint(3)).isEqualTo(2);
        assertThat(Rfc6962.splitPoint(4)).isEqualTo(2);
        assertThat(Rfc6962.splitPoint(5)).isEqualTo(4);
        assertThat(Rfc6962.splitPoint(1L << 40)).isEqualTo(1L << 39);
        assertThat(Rfc6962.splitPoint((1L << 40) + 1)).isEqualTo(1L << 40);
    }
}
